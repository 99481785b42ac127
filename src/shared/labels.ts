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
