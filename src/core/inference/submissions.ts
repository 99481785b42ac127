// Kaggle submissions: `ImageId,Label` with ImageId from 1, one row per test image in file order, validated
// before writing, written atomically, scored when the answers are known, and recorded in the ledger; --force
// replaces only a file the ledger knows.

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import type { Db } from '../db/open.js';
import { badInput, conflict, notFound, WorkbenchError } from '../../shared/errors.js';
import { SUSPICIOUS_NOTE, SUSPICIOUS_SCORE, type SubmissionInfo } from '../../shared/submissions.js';
import type { WeightsSlot } from '../../shared/trainer-protocol.js';
import { getDataset, loadDatasetArrays } from '../datasets/repo.js';
import { checkTarget, writeFileAtomic } from '../fs-atomic.js';
import { argmaxRows } from '../../shared/digits.js';
import { ensembleProbabilities, score, type PredictContext } from './predictions.js';

interface SubmissionRow {
  id: number;
  dataset_id: number;
  runs: string;
  weights: WeightsSlot;
  tta: number;
  path: string;
  sha256: string;
  rows: number;
  accuracy: number | null;
  confusion: string | null;
  kaggle_score: number | null;
  created_at: string;
}

function toInfo(r: SubmissionRow): SubmissionInfo {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    runs: JSON.parse(r.runs) as number[],
    weights: r.weights,
    tta: r.tta === 1,
    path: r.path,
    sha256: r.sha256,
    rows: r.rows,
    accuracy: r.accuracy,
    confusion: r.confusion ? (JSON.parse(r.confusion) as number[][]) : null,
    kaggleScore: r.kaggle_score,
    scoreNote: r.kaggle_score !== null && r.kaggle_score > SUSPICIOUS_SCORE ? SUSPICIOUS_NOTE : null,
    createdAt: r.created_at,
  };
}

/** Kaggle ImageIds start at 1 (the seed notebook numbered them from 0 and was rejected). */
export function submissionCsv(labels: Uint8Array): string {
  const lines = ['ImageId,Label'];
  labels.forEach((label, i) => lines.push(`${i + 1},${label}`));
  return `${lines.join('\n')}\n`;
}

/** The checks Kaggle's uploader makes, before anything is written. */
export function validateSubmission(csv: string, expectedRows: number): void {
  const lines = csv.split('\n');
  if (lines[0] !== 'ImageId,Label') throw new WorkbenchError('internal', 'submission header must be exactly ImageId,Label');
  if (lines[lines.length - 1] !== '') throw new WorkbenchError('internal', 'submission must end with a newline');
  const rows = lines.slice(1, -1);
  if (rows.length !== expectedRows) throw new WorkbenchError('internal', `submission has ${rows.length} rows, the test set ${expectedRows}`);
  rows.forEach((row, i) => {
    const m = /^(\d+),[0-9]$/.exec(row);
    if (!m || Number(m[1]) !== i + 1) throw new WorkbenchError('internal', `submission line ${i + 2} is malformed: ${row}`);
  });
}

/** Where a submission may be written: an absolute .csv path with no traversal tricks. */
export function checkOutPath(out: string): string {
  if (out.includes('\0')) throw badInput('out: the path contains a NUL byte');
  if (!isAbsolute(out)) throw badInput(`out: must be an absolute path (got "${out}")`);
  if (normalize(out) !== out || out.split(/[\\/]/).includes('..')) throw badInput(`out: must not contain ".." or redundant separators (got "${out}")`);
  if (!out.toLowerCase().endsWith('.csv')) throw badInput(`out: a submission is a .csv file (got "${out}")`);
  return out;
}

/**
 * `--force` replaces a CSV only when it is a submission this app wrote and nobody changed since: its sha256 is in
 * the ledger. A well-formed `ImageId,Label` file alone is not enough: it may be another notebook's submission, or
 * one the user fixed by hand, and either is theirs to keep; replacing it would lose work the app cannot redo.
 */
export function assertPreviousSubmission(db: Db): (target: string) => void {
  return (target) => {
    const keep = 'it is not replaced: choose another file, or move it away first';
    const stat = lstatSync(target);
    if (stat.isSymbolicLink()) throw conflict(`${target} is a symbolic link, not a submission Digit Workbench wrote: ${keep}`);
    if (!stat.isFile()) throw conflict(`${target} is not a regular file: ${keep}`);
    // A submission is ~9 bytes a row; anything far larger is not one, and is not read whole.
    const ours = stat.size <= MAX_SUBMISSION_BYTES && db.prepare('SELECT 1 FROM submissions WHERE sha256 = ? LIMIT 1').get(sha256Of(readFileSync(target)));
    if (!ours) throw conflict(`${target} is not a submission Digit Workbench wrote (its contents match none in the submissions ledger): ${keep}`, { path: target });
  };
}

const MAX_SUBMISSION_BYTES = 64 * 1024 * 1024;

function sha256Of(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function exportSubmission(
  ctx: PredictContext,
  opts: { runIds: number[]; datasetId: number; weights: WeightsSlot; tta: boolean; out: string; force?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<SubmissionInfo> {
  const out = checkOutPath(opts.out);
  const replace = { force: opts.force, ours: assertPreviousSubmission(ctx.db) };
  checkTarget(out, replace); // before predicting: a refused path should not cost a prediction pass
  const dataset = getDataset(ctx.db, opts.datasetId);
  if (dataset.kind !== 'test') throw badInput(`dataset ${dataset.id} "${dataset.name}" is labelled (a train set): a submission predicts an unlabelled test.csv`);
  const probs = await ensembleProbabilities(ctx, opts);
  const labels = argmaxRows(probs);
  const csv = submissionCsv(labels);
  validateSubmission(csv, dataset.rows);
  writeFileAtomic(out, csv, replace);
  const sha256 = sha256Of(csv);
  const answers = dataset.hasAnswers ? loadDatasetArrays(ctx.db, dataset.id).labels : null;
  const scored = answers ? score(labels, answers) : null;
  // The same file from the same runs, weights and test set again: one ledger row (its Kaggle score stays with it),
  // now pointing at the newest copy, instead of a second row the user would have to score twice.
  const same = ctx.db
    .prepare('SELECT id FROM submissions WHERE sha256 = ? AND dataset_id = ? AND runs = ? AND weights = ? AND tta = ?')
    .pluck()
    .get(sha256, dataset.id, JSON.stringify(opts.runIds), opts.weights, opts.tta ? 1 : 0) as number | undefined;
  if (same !== undefined) {
    ctx.db.prepare('UPDATE submissions SET path = ? WHERE id = ?').run(out, same);
    return getSubmission(ctx.db, same);
  }
  const { lastInsertRowid } = ctx.db
    .prepare('INSERT INTO submissions (dataset_id, runs, weights, tta, path, sha256, rows, accuracy, confusion, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(dataset.id, JSON.stringify(opts.runIds), opts.weights, opts.tta ? 1 : 0, out, sha256, dataset.rows, scored?.accuracy ?? null, scored ? JSON.stringify(scored.confusion) : null, new Date().toISOString());
  return getSubmission(ctx.db, Number(lastInsertRowid));
}

export function getSubmission(db: Db, id: number): SubmissionInfo {
  const row = db.prepare('SELECT * FROM submissions WHERE id = ?').get(id) as SubmissionRow | undefined;
  if (!row) throw notFound(`no submission with id ${id}`);
  return toInfo(row);
}

export function listSubmissions(db: Db): SubmissionInfo[] {
  return (db.prepare('SELECT * FROM submissions ORDER BY id').all() as SubmissionRow[]).map(toInfo);
}

export function setKaggleScore(db: Db, id: number, scoreValue: number | null): SubmissionInfo {
  getSubmission(db, id);
  db.prepare('UPDATE submissions SET kaggle_score = ? WHERE id = ?').run(scoreValue, id);
  return getSubmission(db, id);
}
