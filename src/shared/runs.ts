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
  error: string | null;
  notes: string;
  tags: string[];
  groupKey: string | null;
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
}

export interface RunDetail extends RunInfo {
  hyperparams: Hyperparams;
  summary: ModelSummary | null;
  datasetSha256: string;
  appVersion: string;
  /** Null until a trainer has started the run (and for runs from before lineage was recorded). */
  lineage: RunLineage | null;
  epochs: EpochMetrics[];
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
}
