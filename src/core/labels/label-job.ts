// The label-issues job: k ordinary runs (one per fold, each validated on its held-out fold) grouped by one key and
// tagged "label-issues"; the run manager trains them like any run. Once all completed, their held-out ("result")
// probabilities cover every row exactly once and confident learning ranks the likely label errors.

import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.js';
import { badInput, conflict, notFound } from '../../shared/errors.js';
import type { LabelIssues, LabelJobInfo } from '../../shared/labels.js';
import type { RunInfo } from '../../shared/runs.js';
import { getDataset, loadDatasetArrays } from '../datasets/repo.js';
import { PIXELS } from '../datasets/mnist-digits.js';
import { resolveHyperparams } from '../training/presets.js';
import { createRun, listRuns, updateRunMeta } from '../training/runs-repo.js';
import { appVersion } from '../version.js';
import { findLabelIssues } from './confident-learning.js';
import { argmaxRows } from '../../shared/digits.js';

export const LABEL_TAG = 'label-issues';
const FOLD_TAG = /^fold (\d+)\/(\d+)$/;

export interface LabelJobOptions {
  datasetId: number;
  preset?: string;
  folds?: number;
  epochs?: number;
}

export function startLabelJob(db: Db, opts: LabelJobOptions): { key: string; runIds: number[] } {
  const dataset = getDataset(db, opts.datasetId);
  if (dataset.kind !== 'train') throw badInput(`datasetId: dataset ${dataset.id} "${dataset.name}" has no labels to check (a test set)`);
  const folds = opts.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2 || folds > 20) throw badInput(`folds: must be a whole number from 2 to 20, got ${folds}`);
  if (dataset.rows < folds * 2) throw badInput(`folds: ${folds} folds need at least ${folds * 2} rows, dataset ${dataset.id} has ${dataset.rows}`);
  const preset = opts.preset ?? 'seed-lenet5';
  const key = `${LABEL_TAG}-${randomUUID()}`;
  // ratio only describes the split (1/k) for the run pages; kfold ignores it. The schema caps it at 0.5.
  const ratio = Math.min(0.5, Math.max(0.01, 1 / folds));
  const plans = Array.from({ length: folds }, (_, index) =>
    resolveHyperparams(preset, { epochs: opts.epochs, validation: { mode: 'kfold', ratio, fold: { count: folds, index } } }),
  );
  const runIds = db.transaction(() =>
    plans.map((hyperparams, index) => {
      const id = createRun(db, { datasetId: dataset.id, datasetSha256: dataset.sha256, preset, hyperparams, appVersion: appVersion(), groupKey: key });
      updateRunMeta(db, id, { tags: [LABEL_TAG, `fold ${index + 1}/${folds}`] });
      return id;
    }),
  )();
  return { key, runIds };
}

function jobOf(key: string, members: RunInfo[]): LabelJobInfo {
  const runs = members.map((r) => {
    const m = r.tags.map((t) => FOLD_TAG.exec(t)).find(Boolean);
    return { id: r.id, fold: m ? Number(m[1]) : 0, status: r.status, error: r.error };
  });
  const folds = Math.max(...members.flatMap((r) => r.tags.map((t) => Number(FOLD_TAG.exec(t)?.[2] ?? 0))));
  const busy = runs.some((r) => r.status === 'queued' || r.status === 'running');
  const failed = runs.some((r) => !['queued', 'running', 'completed'].includes(r.status));
  return {
    key,
    datasetId: members[0].datasetId,
    preset: members[0].preset,
    folds,
    runs: runs.sort((a, b) => a.fold - b.fold),
    status: busy ? 'running' : failed || runs.length < folds ? 'failed' : 'completed',
    createdAt: members[0].createdAt,
  };
}

/** Every label-issues job, newest first. */
export function listLabelJobs(db: Db): LabelJobInfo[] {
  const groups = new Map<string, RunInfo[]>();
  for (const run of listRuns(db)) {
    if (!run.groupKey || !run.tags.includes(LABEL_TAG)) continue;
    groups.set(run.groupKey, [...(groups.get(run.groupKey) ?? []), run]);
  }
  return [...groups].map(([key, members]) => jobOf(key, members)).reverse();
}

export function getLabelJob(db: Db, key: string): LabelJobInfo {
  const job = listLabelJobs(db).find((j) => j.key === key);
  if (!job) throw notFound(`no label-issues job "${key}"`);
  return job;
}

/** The out-of-fold probabilities of every row, from the fold runs' held-out predictions, and each fold's accuracy. */
export function outOfFoldProbs(db: Db, job: LabelJobInfo, labels: Uint8Array): { probs: Float32Array; folds: LabelIssues['folds'] } {
  const rows = labels.length;
  const probs = new Float32Array(rows * 10);
  const covered = new Uint8Array(rows);
  const folds: LabelIssues['folds'] = [];
  for (const run of job.runs) {
    const row = db.prepare('SELECT indices, probs FROM val_predictions WHERE run_id = ?').get(run.id) as { indices: Buffer; probs: Buffer } | undefined;
    if (!row) throw conflict(`run ${run.id} (fold ${run.fold}) has no held-out predictions`);
    const indices = new Int32Array(new Uint8Array(row.indices).buffer);
    const p = new Float32Array(new Uint8Array(row.probs).buffer);
    const predicted = argmaxRows(p);
    let right = 0;
    indices.forEach((idx, k) => {
      if (covered[idx]) throw conflict(`row ${idx + 1} was held out by two folds: the job's runs disagree on the folds`);
      covered[idx] = 1;
      probs.set(p.subarray(k * 10, (k + 1) * 10), idx * 10);
      if (predicted[k] === labels[idx]) right++;
    });
    folds.push({ runId: run.id, fold: run.fold, accuracy: right / Math.max(1, indices.length) });
  }
  const missing = covered.indexOf(0);
  if (missing >= 0) throw conflict(`row ${missing + 1} was held out by no fold: the dataset changed since the job started`);
  return { probs, folds };
}

export function labelIssues(db: Db, key: string): LabelIssues {
  const job = getLabelJob(db, key);
  if (job.status !== 'completed') return { job, issues: [], folds: [], accuracy: null };
  const data = loadDatasetArrays(db, job.datasetId);
  if (!data.labels) throw conflict(`dataset ${job.datasetId} has no labels`);
  const { probs, folds } = outOfFoldProbs(db, job, data.labels);
  const issues = findLabelIssues(data.labels, probs).map((issue) => ({
    row: issue.idx + 1,
    label: issue.label,
    suggested: issue.suggested,
    score: issue.score,
    probs: Array.from(probs.subarray(issue.idx * 10, issue.idx * 10 + 10), (p) => Math.round(p * 1e4) / 1e4),
    pixels: Buffer.from(data.pixels.buffer, data.pixels.byteOffset + issue.idx * PIXELS, PIXELS).toString('base64'),
  }));
  const predicted = argmaxRows(probs);
  const accuracy = data.labels.reduce((n, label, i) => n + (predicted[i] === label ? 1 : 0), 0) / Math.max(1, data.rows);
  return { job, issues, folds, accuracy };
}
