// Confusion matrix, per-class precision/recall, and pages of digits (misclassified first by confidence, or one
// confusion cell) from a run's stored validation predictions.

import { PIXELS } from '../../shared/digits.js';
import type { Db } from '../db/open.js';
import type { ConfusionReport, DigitItem, DigitPage } from '../../shared/analysis.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import { getRun } from '../training/runs-repo.js';
import { loadValSet, type ValSet } from './val-set.js';


export function confusionOf(set: ValSet): ConfusionReport {
  const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  set.labels.forEach((label, r) => matrix[label][set.predicted[r]]++);
  const correct = matrix.reduce((sum, row, i) => sum + row[i], 0);
  const perClass = matrix.map((row, cls) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = matrix.reduce((sum, r) => sum + r[cls], 0);
    return { cls, precision: predictedAs ? row[cls] / predictedAs : null, recall: support ? row[cls] / support : null, support };
  });
  return { runId: set.runId, epoch: set.epoch, total: set.labels.length, accuracy: correct / set.labels.length, matrix, perClass };
}

export function confusionReport(db: Db, runId: number): ConfusionReport {
  return confusionOf(loadValSet(db, runId));
}

/** The digit at row `r` of a validation set, with its picture. */
export function digitItem(set: ValSet, r: number, pixels: Uint8Array): DigitItem {
  const idx = set.indices[r];
  const probs = Array.from(set.probs.subarray(r * 10, r * 10 + 10));
  return {
    idx,
    label: set.labels[r],
    predicted: set.predicted[r],
    confidence: probs[set.predicted[r]],
    probs,
    pixels: Buffer.from(pixels.subarray(idx * PIXELS, (idx + 1) * PIXELS)).toString('base64'),
  };
}

export interface DigitQuery {
  runId: number;
  /** Filter by true class and/or predicted class; both given = one confusion cell (the diagonal shows correct ones). */
  trueClass?: number;
  predictedClass?: number;
  offset: number;
  limit: number;
}

/** Misclassified digits, most confidently wrong first; or the digits of one confusion cell. */
export function digitPage(db: Db, q: DigitQuery): DigitPage {
  const data = loadDatasetArrays(db, getRun(db, q.runId).datasetId);
  const set = loadValSet(db, q.runId, data);
  const cell = q.trueClass !== undefined && q.predictedClass !== undefined;
  const rows: number[] = [];
  for (let r = 0; r < set.labels.length; r++) {
    if (!cell && set.labels[r] === set.predicted[r]) continue;
    if (q.trueClass !== undefined && set.labels[r] !== q.trueClass) continue;
    if (q.predictedClass !== undefined && set.predicted[r] !== q.predictedClass) continue;
    rows.push(r);
  }
  const confidence = (r: number) => set.probs[r * 10 + set.predicted[r]];
  rows.sort((a, b) => confidence(b) - confidence(a) || set.indices[a] - set.indices[b]);
  return { total: rows.length, items: rows.slice(q.offset, q.offset + q.limit).map((r) => digitItem(set, r, data.pixels)) };
}
