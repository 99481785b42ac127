// Predictions of test sets and the submission ledger, as the UI and the CLI see them.

export interface PredictionSet {
  datasetId: number;
  rows: number;
  runIds: number[];
  weights: 'best' | 'last';
  tta: boolean;
  /** rows × 10 mean probabilities (the ensemble's when several runs). Sent only when asked for. */
  labels: number[];
  /** Accuracy and confusion matrix (true × predicted) when the dataset's answers are known. */
  accuracy: number | null;
  confusion: number[][] | null;
}

export interface SubmissionInfo {
  id: number;
  datasetId: number;
  runs: number[];
  weights: 'best' | 'last';
  tta: boolean;
  /** The file written (only its name over serve mode: the browser is never told server paths). */
  path: string;
  sha256: string;
  rows: number;
  accuracy: number | null;
  confusion: number[][] | null;
  kaggleScore: number | null;
  /** Set when the Kaggle score is implausibly high for honest training. */
  scoreNote: string | null;
  createdAt: string;
}

/** Above this public score, Digit Recognizer results come from training on the original MNIST test set. */
export const SUSPICIOUS_SCORE = 0.9979;
export const SUSPICIOUS_NOTE =
  'Scores above 0.9979 on this competition come from training on the original MNIST test set (which contains the Kaggle test digits), not from a better model.';
