// Run B against run A on the same validation images: the digits B fixed, the ones it broke and the ones both get
// wrong, each list most confidently wrong first (as the Errors gallery); and the
// validation accuracy of an ensemble (mean probabilities) of runs that share their validation images.

import type { Db } from '../db/open.js';
import { badInput } from '../../shared/errors.js';
import { argmax } from '../../shared/digits.js';
import type { EnsembleValidation, RunDiff } from '../../shared/analysis.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import { getRun } from '../training/runs-repo.js';
import type { DigitItem } from '../../shared/analysis.js';
import { digitItem } from './errors.js';
import { loadValSet, requireSameValidation } from './val-set.js';

function accuracy(labels: Uint8Array, predicted: Uint8Array): number {
  let correct = 0;
  labels.forEach((l, i) => (correct += l === predicted[i] ? 1 : 0));
  return correct / labels.length;
}

/** Most confident mistake first, then by row: the order of every digit gallery. */
function byConfidence(items: DigitItem[]): DigitItem[] {
  return items.sort((x, y) => y.confidence - x.confidence || x.idx - y.idx);
}

export function diffRuns(db: Db, runA: number, runB: number): RunDiff {
  if (runA === runB) throw badInput('runB: pick a different run than runA');
  const data = loadDatasetArrays(db, getRun(db, runA).datasetId);
  const [a, b] = [loadValSet(db, runA, data), loadValSet(db, runB, data)];
  requireSameValidation([a, b]);
  const fixed: DigitItem[] = [];
  const broken: DigitItem[] = [];
  const bothWrong: DigitItem[] = [];
  for (let r = 0; r < a.labels.length; r++) {
    const okA = a.predicted[r] === a.labels[r];
    const okB = b.predicted[r] === b.labels[r];
    if (!okA && okB) fixed.push(digitItem(a, r, data.pixels));
    else if (okA && !okB) broken.push(digitItem(b, r, data.pixels));
    else if (!okA && !okB) bothWrong.push(digitItem(b, r, data.pixels));
  }
  const [accuracyA, accuracyB] = [accuracy(a.labels, a.predicted), accuracy(b.labels, b.predicted)];
  return { runA, runB, accuracyA, accuracyB, fixed: byConfidence(fixed), broken: byConfidence(broken), bothWrong: byConfidence(bothWrong) };
}

export function ensembleValidation(db: Db, runIds: number[]): EnsembleValidation {
  if (runIds.length < 1) throw badInput('runIds: pick at least one run');
  const data = loadDatasetArrays(db, getRun(db, runIds[0]).datasetId);
  const sets = runIds.map((id) => loadValSet(db, id, data));
  requireSameValidation(sets);
  const n = sets[0].labels.length;
  const mean = new Float32Array(n * 10);
  for (const s of sets) for (let k = 0; k < mean.length; k++) mean[k] += s.probs[k] / sets.length;
  let correct = 0;
  for (let r = 0; r < n; r++) if (argmax(mean, r) === sets[0].labels[r]) correct++;
  return { runIds, total: n, accuracy: correct / n, members: sets.map((s) => ({ runId: s.runId, accuracy: accuracy(s.labels, s.predicted) })) };
}
