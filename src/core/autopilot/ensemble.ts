// Which members make the submission: greedy forward selection (Caruana et al. 2004) over the members' stored
// validation predictions. Start from the best single member; add the member whose probabilities, averaged in,
// raise validation accuracy most (log-loss breaks ties); stop when none helps.

import type { Db } from '../db/open.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import { loadValSet, requireSameValidation, type ValSet } from '../analysis/val-set.js';
import { getRun } from '../training/runs-repo.js';

export interface Selection {
  ensemble: number[];
  valAcc: number;
  /** Validation accuracy after each addition, for the notes. */
  steps: { runId: number; valAcc: number }[];
}

function scoreOf(sum: Float32Array, count: number, labels: Uint8Array): { acc: number; logLoss: number } {
  let correct = 0;
  let logLoss = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (sum[r * 10 + k] > sum[r * 10 + best]) best = k;
    if (best === labels[r]) correct++;
    logLoss -= Math.log(Math.max(1e-7, sum[r * 10 + labels[r]] / count));
  }
  return { acc: correct / labels.length, logLoss: logLoss / labels.length };
}

const better = (a: { acc: number; logLoss: number }, b: { acc: number; logLoss: number } | null) =>
  b === null || a.acc > b.acc || (a.acc === b.acc && a.logLoss < b.logLoss - 1e-9);

/** Members without validation predictions (failed before an epoch ended) are left out; null when none has any. */
export function selectEnsemble(db: Db, runIds: number[]): Selection | null {
  const withPredictions = runIds.filter((id) => db.prepare('SELECT 1 FROM val_predictions WHERE run_id = ?').get(id));
  if (withPredictions.length === 0) return null;
  const data = loadDatasetArrays(db, getRun(db, withPredictions[0]).datasetId);
  const sets: ValSet[] = withPredictions.map((id) => loadValSet(db, id, data));
  requireSameValidation(sets);
  const labels = sets[0].labels;
  const sum = new Float32Array(labels.length * 10);
  const chosen: ValSet[] = [];
  const steps: Selection['steps'] = [];
  let current: { acc: number; logLoss: number } | null = null;
  for (;;) {
    let pick: { set: ValSet; score: { acc: number; logLoss: number } } | null = null;
    for (const set of sets) {
      if (chosen.includes(set)) continue;
      const trial = Float32Array.from(sum, (v, k) => v + set.probs[k]);
      const score = scoreOf(trial, chosen.length + 1, labels);
      if (better(score, pick?.score ?? null)) pick = { set, score };
    }
    if (!pick || !better(pick.score, current)) break;
    chosen.push(pick.set);
    for (let k = 0; k < sum.length; k++) sum[k] += pick.set.probs[k];
    current = pick.score;
    steps.push({ runId: pick.set.runId, valAcc: pick.score.acc });
  }
  return { ensemble: chosen.map((s) => s.runId), valAcc: current!.acc, steps };
}
