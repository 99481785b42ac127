// Autopilot jobs in SQLite: created with their budget, updated as they plan, train, select and export, and marked
// interrupted by whoever opens the store after their owner process died (as runs and sweeps are).

import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { notFound } from '../../shared/errors.js';
import type { AutopilotJobInfo, AutopilotMember, AutopilotPlan, AutopilotStage, AutopilotStatus } from '../../shared/autopilot.js';
import type { PresetName } from '../../shared/hyperparams.js';
import type { RunTarget } from '../../shared/runs.js';
import { alive, getRun } from '../training/runs-repo.js';

interface JobRow {
  id: number;
  dataset_id: number;
  test_dataset_id: number;
  budget_seconds: number;
  elapsed_seconds: number;
  target: RunTarget;
  out_path: string | null;
  force: number;
  status: AutopilotStatus;
  stage: AutopilotStage;
  plan: string | null;
  ensemble: string;
  val_acc: number | null;
  tta: number | null;
  submission_id: number | null;
  notes: string;
  done_runs: string;
  error: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  stop_requested: number;
  created_at: string;
  ended_at: string | null;
}

const now = () => new Date().toISOString();

export function createJob(db: Db, opts: { datasetId: number; testDatasetId: number; budgetSeconds: number; target: RunTarget; out: string | null; force: boolean }): number {
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO autopilot_jobs (dataset_id, test_dataset_id, budget_seconds, target, out_path, force, status, stage, owner_pid, owner_host, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'running', 'calibrating', ?, ?, ?)`,
    )
    .run(opts.datasetId, opts.testDatasetId, opts.budgetSeconds, opts.target, opts.out, opts.force ? 1 : 0, process.pid, hostname(), now());
  return Number(lastInsertRowid);
}

function row(db: Db, id: number): JobRow {
  const r = db.prepare('SELECT * FROM autopilot_jobs WHERE id = ?').get(id) as JobRow | undefined;
  if (!r) throw notFound(`no autopilot job with id ${id}`);
  return r;
}

export function jobTarget(db: Db, id: number): { out: string | null; force: boolean } {
  const r = row(db, id);
  return { out: r.out_path, force: r.force === 1 };
}

export function memberRunIds(db: Db, id: number): number[] {
  return db.prepare('SELECT id FROM runs WHERE autopilot_id = ? ORDER BY id').pluck().all(id) as number[];
}

function member(db: Db, runId: number): AutopilotMember {
  const run = getRun(db, runId);
  return { runId, preset: run.preset as PresetName, epochs: run.epochsPlanned, epochsDone: run.epochsDone, status: run.status, bestValAcc: run.bestValAcc };
}

export function getJob(db: Db, id: number): AutopilotJobInfo {
  const r = row(db, id);
  const submissionPath = r.submission_id === null ? null : ((db.prepare('SELECT path FROM submissions WHERE id = ?').pluck().get(r.submission_id) as string | undefined) ?? null);
  return {
    id: r.id,
    datasetId: r.dataset_id,
    testDatasetId: r.test_dataset_id,
    budgetSeconds: r.budget_seconds,
    elapsedSeconds: r.elapsed_seconds,
    target: r.target,
    status: r.status,
    stage: r.stage,
    plan: r.plan ? (JSON.parse(r.plan) as AutopilotPlan) : null,
    members: memberRunIds(db, id).map((runId) => member(db, runId)),
    ensemble: JSON.parse(r.ensemble) as number[],
    valAcc: r.val_acc,
    tta: r.tta === null ? null : r.tta === 1,
    submissionId: r.submission_id,
    submissionPath,
    notes: JSON.parse(r.notes) as string[],
    error: r.error,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  };
}

export function listJobs(db: Db): AutopilotJobInfo[] {
  return (db.prepare('SELECT id FROM autopilot_jobs ORDER BY id DESC').pluck().all() as number[]).map((id) => getJob(db, id));
}

export function update(
  db: Db,
  id: number,
  fields: Partial<{ stage: AutopilotStage; plan: AutopilotPlan; elapsedSeconds: number; ensemble: number[]; valAcc: number | null; tta: boolean; submissionId: number }>,
): void {
  const sets: string[] = [];
  const values: unknown[] = [];
  const put = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (fields.stage !== undefined) put('stage', fields.stage);
  if (fields.plan !== undefined) put('plan', JSON.stringify(fields.plan));
  if (fields.elapsedSeconds !== undefined) put('elapsed_seconds', fields.elapsedSeconds);
  if (fields.ensemble !== undefined) put('ensemble', JSON.stringify(fields.ensemble));
  if (fields.valAcc !== undefined) put('val_acc', fields.valAcc);
  if (fields.tta !== undefined) put('tta', fields.tta ? 1 : 0);
  if (fields.submissionId !== undefined) put('submission_id', fields.submissionId);
  if (sets.length === 0) return;
  db.prepare(`UPDATE autopilot_jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
}

export function doneRuns(db: Db, id: number): number[] {
  return JSON.parse(row(db, id).done_runs) as number[];
}

export function markDone(db: Db, id: number, runId: number): void {
  const done = doneRuns(db, id);
  if (!done.includes(runId)) db.prepare('UPDATE autopilot_jobs SET done_runs = ? WHERE id = ?').run(JSON.stringify([...done, runId]), id);
}

export function addNote(db: Db, id: number, note: string): void {
  const notes = JSON.parse(row(db, id).notes) as string[];
  db.prepare('UPDATE autopilot_jobs SET notes = ? WHERE id = ?').run(JSON.stringify([...notes, note]), id);
}

export function finish(db: Db, id: number, status: Exclude<AutopilotStatus, 'running'>, error: string | null = null): void {
  db.prepare('UPDATE autopilot_jobs SET status = ?, error = ?, ended_at = ?, stop_requested = 0 WHERE id = ?').run(status, error, now(), id);
}

/** This process takes the job over (a resume): running again, owned here. */
export function claim(db: Db, id: number): void {
  db.prepare("UPDATE autopilot_jobs SET status = 'running', error = NULL, ended_at = NULL, stop_requested = 0, owner_pid = ?, owner_host = ? WHERE id = ?").run(process.pid, hostname(), id);
}

export function ownedHere(db: Db, id: number): boolean {
  const r = row(db, id);
  return r.status === 'running' && r.owner_pid === process.pid && r.owner_host === hostname();
}

/** Stop is a flag any process may set; the owner reads it on its next tick. */
export function requestStop(db: Db, id: number): void {
  db.prepare("UPDATE autopilot_jobs SET stop_requested = 1 WHERE id = ? AND status = 'running'").run(id);
}

export function stopRequested(db: Db, id: number): boolean {
  return row(db, id).stop_requested === 1;
}

/** Jobs left running by a process of this host that is gone: interrupted, resumable. */
export function reconcileJobs(db: Db): void {
  const rows = db.prepare("SELECT id, owner_pid FROM autopilot_jobs WHERE status = 'running' AND owner_host = ?").all(hostname()) as { id: number; owner_pid: number | null }[];
  for (const r of rows) if (r.owner_pid === null || !alive(r.owner_pid)) finish(db, r.id, 'interrupted', 'the process running it ended before it finished');
}

export function tagMember(db: Db, jobId: number, runId: number): void {
  const tags = JSON.parse(db.prepare('SELECT tags FROM runs WHERE id = ?').pluck().get(runId) as string) as string[];
  const tag = `autopilot-${jobId}`;
  db.prepare('UPDATE runs SET autopilot_id = ?, tags = ? WHERE id = ?').run(jobId, JSON.stringify([...new Set([...tags, 'autopilot', tag])]), runId);
}
