// Keras-equivalent callbacks as pure functions over the serializable LoopState: ReduceLROnPlateau,
// EarlyStopping, an exponential learning-rate schedule, and the best epoch (shared/runs.ts isBetterEpoch: highest val
// accuracy, ties → lower val loss, then the earliest). Pure state makes a resumed run continue exactly where it stopped.

import type { Hyperparams, Monitor } from '../shared/hyperparams.js';
import { isBetterEpoch, type EpochMetrics } from '../shared/runs.js';
import type { LoopState } from '../shared/trainer-protocol.js';

export function initialLoopState(hp: Hyperparams): LoopState {
  return {
    epoch: 0,
    learningRate: hp.learningRate,
    step: 0,
    plateau: hp.reduceLrOnPlateau ? { best: null, wait: 0 } : null,
    early: hp.earlyStopping ? { best: null, wait: 0, bestEpoch: 0 } : null,
    best: null,
    stopReason: null,
  };
}

/** The learning rate for `epoch` (from 1): the schedule when there is one, else what the plateau callback left. */
export function learningRateFor(hp: Hyperparams, state: LoopState, epoch: number): number {
  if (hp.lrDecay) return hp.learningRate * hp.lrDecay.rate ** (epoch - 1);
  return state.learningRate;
}

function monitorValue(metrics: EpochMetrics, monitor: Monitor): number {
  const value = { loss: metrics.loss, acc: metrics.acc, val_loss: metrics.valLoss, val_acc: metrics.valAcc }[monitor];
  return value ?? Number.NaN;
}

/** Keras 'auto' mode: losses should fall, accuracies rise. `delta` must be beaten, not met. */
function improves(monitor: Monitor, current: number, best: number | null, delta: number): boolean {
  if (best === null) return Number.isFinite(current);
  return monitor.endsWith('loss') ? current < best - delta : current > best + delta;
}

export interface EpochDecision {
  state: LoopState;
  isBest: boolean;
  stop: boolean;
}

/** Applies the end-of-epoch callbacks, in the seed notebook's order: ReduceLROnPlateau, then EarlyStopping. */
export function afterEpoch(hp: Hyperparams, previous: LoopState, metrics: EpochMetrics, step: number): EpochDecision {
  const state: LoopState = structuredClone(previous);
  state.epoch = metrics.epoch;
  state.step = step;
  state.learningRate = metrics.lr;

  const rl = hp.reduceLrOnPlateau;
  if (rl && state.plateau) {
    const current = monitorValue(metrics, rl.monitor);
    if (improves(rl.monitor, current, state.plateau.best, rl.minDelta)) {
      state.plateau = { best: current, wait: 0 };
    } else if (++state.plateau.wait >= rl.patience) {
      if (state.learningRate > rl.minLr) state.learningRate = Math.max(state.learningRate * rl.factor, rl.minLr);
      state.plateau.wait = 0;
    }
  }

  let stop = false;
  const es = hp.earlyStopping;
  if (es && state.early) {
    const current = monitorValue(metrics, es.monitor);
    state.early.wait++;
    if (improves(es.monitor, current, state.early.best, es.minDelta)) {
      state.early = { best: current, wait: 0, bestEpoch: metrics.epoch };
    }
    if (state.early.wait >= es.patience && metrics.epoch > 1) {
      stop = true;
      state.stopReason = 'early-stopping';
    }
  }

  let isBest = false;
  if (metrics.valAcc !== null && metrics.valLoss !== null) {
    const b = state.best;
    if (isBetterEpoch(metrics, b)) {
      state.best = { epoch: metrics.epoch, valAcc: metrics.valAcc, valLoss: metrics.valLoss };
      isBest = true;
    }
  }
  return { state, isBest, stop };
}
