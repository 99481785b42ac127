// ReduceLROnPlateau and EarlyStopping behave as Keras's do, and the best epoch follows val accuracy then val loss.
import { describe, expect, it } from 'vitest';
import { afterEpoch, initialLoopState, learningRateFor } from '../../src/trainer/callbacks.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import type { EpochMetrics } from '../../src/shared/runs.js';
import type { LoopState } from '../../src/shared/trainer-protocol.js';

const hp = resolveHyperparams('seed-lenet5');

function play(losses: number[], valAccs?: number[]) {
  let state: LoopState = initialLoopState(hp);
  const log: { lr: number; stop: boolean; isBest: boolean }[] = [];
  losses.forEach((loss, i) => {
    const epoch = i + 1;
    const lr = learningRateFor(hp, state, epoch);
    const m: EpochMetrics = { epoch, loss, acc: 0.9, valLoss: 0.1, valAcc: valAccs?.[i] ?? 0.9, lr, seconds: 1, imagesPerSecond: 1 };
    const d = afterEpoch(hp, state, m, epoch * 10);
    state = d.state;
    log.push({ lr, stop: d.stop, isBest: d.isBest });
  });
  return { log, state };
}

describe('seed callbacks (monitor loss; plateau patience 2 factor 0.1; early stopping patience 5)', () => {
  it('keeps the rate while the loss falls by more than 1e-4', () => {
    const { log } = play([1, 0.9, 0.8, 0.7]);
    expect(log.map((l) => l.lr)).toEqual([1e-3, 1e-3, 1e-3, 1e-3]);
  });

  it('divides the rate by 10 after 2 epochs without improvement, then waits 2 more', () => {
    const { log } = play([1, 0.5, 0.5, 0.50005, 0.6, 0.6, 0.4]);
    expect(log.map((l) => l.lr)).toEqual([1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-5]);
  });

  it('stops after 5 epochs without improvement of the loss, not before', () => {
    const { log, state } = play([1, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]);
    expect(log.map((l) => l.stop)).toEqual([false, false, false, false, false, false, true]);
    expect(state.stopReason).toBe('early-stopping');
    expect(state.early?.bestEpoch).toBe(2);
  });

  it('marks the best epoch by val accuracy, ties going to the lower val loss', () => {
    const { log, state } = play([1, 0.9, 0.8, 0.7], [0.9, 0.95, 0.95, 0.94]);
    expect(log.map((l) => l.isBest)).toEqual([true, true, false, false]);
    expect(state.best?.epoch).toBe(2);
  });
});

describe('lr schedule', () => {
  it('is lr × rate^(epoch−1) for cnn-strong', () => {
    const strong = resolveHyperparams('cnn-strong');
    const s = initialLoopState(strong);
    expect([1, 2, 3].map((e) => learningRateFor(strong, s, e))).toEqual([1e-3, 1e-3 * 0.95, 1e-3 * 0.95 ** 2]);
  });
});
