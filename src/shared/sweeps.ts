// Sweeps as the UI, the CLI and the contract see them: a search over hyperparameters whose trials are runs.

import type { Dimension, ParamValue } from './sweep-space.js';
import type { RunStatus, RunTarget } from './runs.js';

export const SEARCHES = ['grid', 'random', 'tpe'] as const;
export type Search = (typeof SEARCHES)[number];

/** Successive halving (ASHA): at epochs minResource·η^k a trial continues only if in the top 1/η so far. */
export interface PruneSpec {
  minResource: number;
  reductionFactor: number;
}

export const SWEEP_STATUSES = ['running', 'stopped', 'completed', 'interrupted'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** What is needed to repeat a sweep: the same spec over the same results proposes the same points. */
export interface SweepSpec {
  datasetId: number;
  preset: string;
  /** Overrides applied before the searched parameters (the New run form's values). */
  hyperparams: Record<string, unknown>;
  params: string[];
  trials: number;
  search: Search;
  prune: PruneSpec | null;
  seed: number;
  /** Where the trials train (absent in sweeps made before the worker pool could run them: this machine). */
  target?: RunTarget;
}

export type TrialStatus = RunStatus | 'pruned';

export interface TrialInfo {
  runId: number;
  /** 1-based, in the order the sweep proposed its trials. */
  trial: number;
  /** The sweep's view: `pruned` once ASHA pruned it and its run ended, whether it stopped or had already finished. */
  status: TrialStatus;
  /** The run's own status, as its page shows it (a pruned trial's run is stopped, or completed: see prunedNote). */
  runStatus: RunStatus;
  params: Record<string, ParamValue>;
  /** Best validation accuracy so far. */
  best: number | null;
  epochsDone: number;
  epochsPlanned: number;
  /** The epoch (ASHA rung) a pruned trial was judged at. */
  prunedAt: number | null;
  seed: number;
  groupKey: string | null;
}

export interface SweepInfo extends SweepSpec {
  id: number;
  status: SweepStatus;
  createdAt: string;
  /** Trials that ended (completed, pruned or failed): "done" in every view and the CLI, over `trials`. */
  trialsDone: number;
  bestRunId: number | null;
  bestValAcc: number | null;
}

export interface ParamImportance {
  key: string;
  /** Share of the explained variance, 0–1 over the parameters measured; null when not measured (see `verdict`). */
  importance: number | null;
  /**
   * measured; never-varied: every scored trial had the same value (nothing to attribute); too-few-trials: fewer
   * than two scored trials per value (or quartile) on average, where a split is seed noise.
   */
  verdict: 'measured' | 'never-varied' | 'too-few-trials';
}

/** Scored trials per bin below which a parameter's share is not computed (one trial a bin is all noise). */
export const MIN_TRIALS_PER_BIN = 2;

export interface BestComparison {
  best: TrialInfo;
  runnerUp: TrialInfo;
  gap: number;
  /** One standard deviation of accuracy expected from seed noise alone. */
  noise: number;
  /** seeds: spread of runs repeated over seeds; binomial: sqrt(p(1−p)/n) on the validation set. */
  noiseSource: 'seeds' | 'binomial';
  withinNoise: boolean;
}

export interface SweepDetail extends SweepInfo {
  dimensions: Dimension[];
  trialList: TrialInfo[];
  importance: ParamImportance[];
  /** Null until two trials have a validation accuracy. */
  comparison: BestComparison | null;
  valSize: number;
}

/**
 * A pruned run in words, the same on the sweep's trials table, the run's page, the runs table and the CLI. ASHA
 * judges a trial when its rung epoch is stored and sends a stop; on the worker pool the stop takes a second or so
 * to reach the worker, and a short trial may have finished every epoch by then. Such a run stays `completed` (all
 * its epochs and results are real and complete) and its sweep still counts it as pruned at that rung.
 */
export function prunedNote(prunedAt: number, runStatus: RunStatus): string {
  return runStatus === 'completed' ? `pruned at epoch ${prunedAt}; it had finished all its epochs when the stop arrived` : `pruned at epoch ${prunedAt}`;
}
