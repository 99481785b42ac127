// Run records as the UI, the CLI and the contract see them.

import type { Hyperparams } from './hyperparams.js';
import type { ModelSummary } from './model-spec.js';
import type { RunLineage } from './lineage.js';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface EpochMetrics {
  epoch: number; // from 1
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
  /** The trainer process over the epoch: CPU time / wall time (200 = two cores busy); absent for older runs. */
  cpuPercent?: number | null;
  /** The trainer's resident memory (MB) at the epoch's end. */
  rssMb?: number | null;
}

export interface RunInfo {
  id: number;
  datasetId: number;
  preset: string;
  status: RunStatus;
  seed: number;
  backend: string | null;
  backendNote: string | null;
  /** Data-parallel training workers (threads); null until it starts (and for runs from before it was recorded). */
  workers: number | null;
  error: string | null;
  notes: string;
  tags: string[];
  groupKey: string | null;
  /** The sweep whose trial it is. */
  sweepId: number | null;
  /** The epoch at which the sweep's ASHA pruning stopped it (the run is then "stopped" and keeps its epochs). */
  prunedAt: number | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  epochsPlanned: number;
  epochsDone: number;
  bestEpoch: number | null;
  bestValAcc: number | null;
  lastValAcc: number | null;
  imagesPerSecond: number | null;
  durationSeconds: number;
  /** Where it trains: a trainer process of this machine, or the worker pool (BullMQ on Redis). */
  target: RunTarget;
  /** The pool workers that trained its epochs, in order of first epoch (empty: this machine). */
  trainedBy: string[];
  /**
   * Its hyperparameters summarised: only those that differ from its preset, flattened ("learningRate",
   * "augmentation.rotation") as text; a changed model is "N layers"; the seed is the field above.
   */
  params: Record<string, string>;
}

export type RunTarget = 'local' | 'pool';

export interface RunDetail extends RunInfo {
  hyperparams: Hyperparams;
  summary: ModelSummary | null;
  datasetSha256: string;
  appVersion: string;
  /** Null until a trainer has started the run (and for runs from before lineage was recorded). */
  lineage: RunLineage | null;
  epochs: EpochMetrics[];
  /** Which worker trained each epoch (parallel to epochs; null: this machine). */
  epochWorkers: (string | null)[];
}

/** Live, throttled progress inside an epoch. */
export interface RunProgress {
  runId: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  acc: number;
  imagesPerSecond: number;
  etaSeconds: number;
  /** The learning rate of this epoch. */
  lr: number;
  /** Seconds of training so far in this epoch (the live Elapsed adds the completed epochs' seconds). */
  seconds: number;
}

/**
 * The one rule for a run's best epoch, used by the trainer (which weights are "best"), the core, the CLI and every
 * view: the highest validation accuracy; on a tie the lower validation loss; on a full tie the earliest epoch
 * (a later epoch must be strictly better to replace it, so it is never chosen for noise it did not beat).
 */
export function isBetterEpoch(candidate: Pick<EpochMetrics, 'valAcc' | 'valLoss'>, best: Pick<EpochMetrics, 'valAcc' | 'valLoss'> | null): boolean {
  if (candidate.valAcc === null) return false;
  if (!best || best.valAcc === null) return true;
  if (candidate.valAcc !== best.valAcc) return candidate.valAcc > best.valAcc;
  return (candidate.valLoss ?? Infinity) < (best.valLoss ?? Infinity);
}

/** The best epoch of a run by isBetterEpoch (epochs in any order), or null when none was validated. */
export function bestEpoch<E extends EpochMetrics>(epochs: readonly E[]): E | null {
  let best: E | null = null;
  for (const e of [...epochs].sort((a, b) => a.epoch - b.epoch)) if (isBetterEpoch(e, best)) best = e;
  return best;
}

/** A learning-rate range test: smoothed loss against learning rate, and where to start. */
export interface LrFindResult {
  points: { lr: number; loss: number }[];
  steepest: number | null;
  minOver10: number | null;
  /** steepest when there is one, else minOver10; null when the loss never came down. */
  suggested: number | null;
  backend: string;
}
