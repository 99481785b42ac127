// Error analysis results: confusion, misclassified digits, run diffs, comparisons and validation ensembles.

import type { EpochMetrics } from './runs.js';

export interface ClassStats {
  cls: number;
  precision: number | null; // null when the class was never predicted
  recall: number | null; // null when the class never occurs
  support: number;
}

export interface ConfusionReport {
  runId: number;
  epoch: number;
  total: number;
  accuracy: number;
  /** [true][predicted] counts. */
  matrix: number[][];
  perClass: ClassStats[];
}

export interface DigitItem {
  /** Row in the run's dataset. */
  idx: number;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
  probs: number[];
  /** 784 bytes, base64. */
  pixels: string;
}

export interface DigitPage {
  total: number;
  items: DigitItem[];
}

export interface RunDiff {
  runA: number;
  runB: number;
  accuracyA: number;
  accuracyB: number;
  /** Wrong in A, right in B (A's prediction); each list most confidently wrong first, then by row. */
  fixed: DigitItem[];
  /** Right in A, wrong in B (B's prediction). */
  broken: DigitItem[];
  /** Wrong in both (B's prediction). */
  bothWrong: DigitItem[];
}

export interface HyperparamRow {
  key: string;
  values: string[];
  differs: boolean;
}

export interface CompareRun {
  id: number;
  preset: string;
  seed: number;
  groupKey: string | null;
  status: string;
  epochs: EpochMetrics[];
  bestValAcc: number | null;
  bestEpoch: number | null;
  maxAcc: number | null;
  minLoss: number | null;
  minValLoss: number | null;
}

export interface GroupStats {
  groupKey: string;
  label: string;
  runIds: number[];
  /** Mean and sample standard deviation of the runs' best validation accuracy. */
  meanBestValAcc: number;
  sdBestValAcc: number;
  meanMinValLoss: number | null;
  sdMinValLoss: number | null;
}

export interface Comparison {
  runs: CompareRun[];
  hyperparams: HyperparamRow[];
  groups: GroupStats[];
  warnings: string[];
}

export interface EnsembleValidation {
  runIds: number[];
  total: number;
  accuracy: number;
  members: { runId: number; accuracy: number }[];
}
