// Run records as the UI, the CLI and the contract see them.

import type { Hyperparams } from './hyperparams.js';
import type { ModelSummary } from './model-spec.js';

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

/** A learning-rate range test: smoothed loss against learning rate, and where to start. */
export interface LrFindResult {
  points: { lr: number; loss: number }[];
  steepest: number | null;
  minOver10: number | null;
  /** steepest when there is one, else minOver10; null when the loss never came down. */
  suggested: number | null;
  backend: string;
}
