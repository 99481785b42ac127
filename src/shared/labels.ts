// Label issues (confident learning over k-fold out-of-fold probabilities) and dataset versions, as the contract,
// the CLI and the UI see them. A "row" is the image's 1-based position among the dataset's rows.

import type { RunStatus } from './runs.js';

export interface LabelJobInfo {
  /** The fold runs' shared group key. */
  key: string;
  datasetId: number;
  preset: string;
  folds: number;
  runs: { id: number; fold: number; status: RunStatus; error: string | null }[];
  /** running while any fold run is queued or running; failed when one ended without completing. */
  status: 'running' | 'completed' | 'failed';
  createdAt: string;
}

export interface LabelIssueRecord {
  row: number;
  label: number;
  suggested: number;
  /** 0–1, higher = more likely mislabelled. */
  score: number;
  /** The out-of-fold class probabilities. */
  probs: number[];
  /** The image: 784 bytes, base64 (the gallery shows it without another call). */
  pixels: string;
}

export interface LabelIssues {
  job: LabelJobInfo;
  /** Ranked most likely first; empty until every fold run completed. */
  issues: LabelIssueRecord[];
  /** Each fold model's accuracy on the rows it held out (empty until every fold run completed). */
  folds: { runId: number; fold: number; accuracy: number }[];
  /** The out-of-fold accuracy over every row: what the ranking stands on (null until complete). */
  accuracy: number | null;
}

/**
 * Below this out-of-fold accuracy the fold models' own mistakes outnumber the label errors a digit set holds (well
 * under 1% of MNIST's labels are wrong; a model at 95% misreads 5 digits in 100), so most flagged rows are the
 * models' misreadings of correctly labelled digits.
 */
export const FOLD_ACCURACY_FLOOR = 0.95;

/** The warning for weak fold models, in the same words in the view and the CLI; null when they are good enough. */
export function weakFoldsNote(accuracy: number | null, flagged: number, rows: number): string | null {
  if (accuracy === null || accuracy >= FOLD_ACCURACY_FLOOR) return null;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return (
    `The fold models are ${pct(accuracy)} accurate on the digits they held out, below ${pct(FOLD_ACCURACY_FLOOR)}: they misread about ` +
    `${pct(1 - accuracy)} of the digits themselves, while well under 1% of a digit set's labels are wrong, so most of the ${flagged} flagged ` +
    `rows (${pct(flagged / Math.max(1, rows))}) are likely labelled right. Train the folds longer (more epochs) or on a stronger preset before relabelling.`
  );
}

export interface DatasetVersionChanges {
  relabels: { row: number; from: number; to: number }[];
  /** Parent rows left out of the version. */
  excludes: number[];
}

export interface DatasetVersionInfo extends DatasetVersionChanges {
  /** null when the parent dataset was deleted later (its name and sha256 stay on record). */
  parentId: number | null;
  parentName: string;
  parentSha256: string;
}
