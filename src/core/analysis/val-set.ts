// A run's validation predictions joined with the true labels: the raw material of error analysis.

import type { Db } from '../db/open.js';
import { conflict } from '../../shared/errors.js';
import { getRunDetail } from '../training/runs-repo.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import { argmaxRows } from '../../shared/digits.js';

export interface ValSet {
  runId: number;
  datasetId: number;
  epoch: number;
  /** Image indices in the dataset. */
  indices: Int32Array;
  /** indices × 10 probabilities. */
  probs: Float32Array;
  labels: Uint8Array;
  predicted: Uint8Array;
}

export function loadValSet(db: Db, runId: number, data?: { labels: Uint8Array | null }): ValSet {
  // The labels come from the run's dataset (a train set: always labelled).
  const run = getRunDetail(db, runId);
  const row = db.prepare('SELECT epoch, indices, probs FROM val_predictions WHERE run_id = ?').get(runId) as
    | { epoch: number; indices: Buffer; probs: Buffer }
    | undefined;
  if (!row) {
    throw conflict(`run ${runId} (${run.status}) has no validation predictions yet: they are written when a run completes or is stopped after an epoch`);
  }
  const indices = new Int32Array(new Uint8Array(row.indices).buffer);
  const probs = new Float32Array(new Uint8Array(row.probs).buffer);
  const all = (data ?? loadDatasetArrays(db, run.datasetId)).labels!;
  const labels = Uint8Array.from(indices, (i) => all[i]);
  const predicted = argmaxRows(probs);
  return { runId, datasetId: run.datasetId, epoch: row.epoch, indices, probs, labels, predicted };
}

/** Two runs can be compared digit by digit only on the same validation images. */
export function sameValidation(a: ValSet, b: ValSet): boolean {
  return a.datasetId === b.datasetId && a.indices.length === b.indices.length && a.indices.every((v, i) => v === b.indices[i]);
}

export function requireSameValidation(sets: ValSet[]): void {
  for (const s of sets.slice(1)) {
    if (!sameValidation(sets[0], s)) {
      throw conflict(`runs ${sets[0].runId} and ${s.runId} were validated on different images (another dataset or split): they cannot be compared digit by digit`);
    }
  }
}
