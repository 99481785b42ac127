// Sweeps in SQLite: the spec, the status and its owner process, and the trials (runs with sweep_id) as
// TrialInfo with the searched parameters read back from each run's hyperparameters.

import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { notFound } from '../../shared/errors.js';
import { getParam, parseSpace, searched, type ParamValue } from '../../shared/sweep-space.js';
import type { SweepInfo, SweepSpec, SweepStatus, TrialInfo } from '../../shared/sweeps.js';
import { getRunDetail } from '../training/runs-repo.js';

interface SweepRow {
  id: number;
  spec: string;
  status: SweepStatus;
  owner_pid: number | null;
  owner_host: string | null;
  created_at: string;
}

const now = () => new Date().toISOString();

export function createSweep(db: Db, spec: SweepSpec): number {
  const { lastInsertRowid } = db
    .prepare("INSERT INTO sweeps (spec, status, owner_pid, owner_host, created_at) VALUES (?, 'running', ?, ?, ?)")
    .run(JSON.stringify(spec), process.pid, hostname(), now());
  return Number(lastInsertRowid);
}

function row(db: Db, id: number): SweepRow {
  const r = db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
  if (!r) throw notFound(`no sweep with id ${id}`);
  return r;
}

export function specOf(db: Db, id: number): SweepSpec {
  return JSON.parse(row(db, id).spec) as SweepSpec;
}

export function statusOf(db: Db, id: number): SweepStatus {
  return row(db, id).status;
}

/** Whether this process proposes the sweep's trials. */
export function ownedHere(db: Db, id: number): boolean {
  const r = row(db, id);
  return r.owner_pid === process.pid && r.owner_host === hostname();
}

export function setStatus(db: Db, id: number, status: SweepStatus): void {
  const ended = status === 'running' ? null : now();
  db.prepare('UPDATE sweeps SET status = ?, ended_at = ? WHERE id = ?').run(status, ended, id);
}

export function claim(db: Db, id: number): void {
  db.prepare("UPDATE sweeps SET status = 'running', ended_at = NULL, owner_pid = ?, owner_host = ? WHERE id = ?").run(process.pid, hostname(), id);
}

export function attachRun(db: Db, runId: number, sweepId: number): void {
  db.prepare('UPDATE runs SET sweep_id = ? WHERE id = ?').run(sweepId, runId);
}

export function markPruned(db: Db, runId: number, epoch: number): void {
  db.prepare('UPDATE runs SET pruned_at = ? WHERE id = ?').run(epoch, runId);
}

export function sweepOfRun(db: Db, runId: number): number | null {
  return (db.prepare('SELECT sweep_id FROM runs WHERE id = ?').pluck().get(runId) as number | null | undefined) ?? null;
}

export function trialsOf(db: Db, sweepId: number): TrialInfo[] {
  const keys = searched(parseSpace(specOf(db, sweepId).params)).map((d) => d.key);
  const rows = db.prepare('SELECT id, pruned_at FROM runs WHERE sweep_id = ? ORDER BY id').all(sweepId) as { id: number; pruned_at: number | null }[];
  return rows.map((r, trial) => {
    const run = getRunDetail(db, r.id);
    return {
      runId: r.id,
      // Counted from 1, like rows and runs: "trial 1" is the first one in every view, the CLI and the logs.
      trial: trial + 1,
      // A trial judged at a rung may finish its epochs before the stop reaches it; it was pruned all the same, and
      // its run stays completed (shared/sweeps.ts prunedNote).
      status: r.pruned_at !== null && (run.status === 'stopped' || run.status === 'completed') ? 'pruned' : run.status,
      runStatus: run.status,
      params: Object.fromEntries(keys.map((k) => [k, getParam(run.hyperparams, k) as ParamValue])),
      best: run.bestValAcc,
      epochsDone: run.epochsDone,
      epochsPlanned: run.epochsPlanned,
      prunedAt: r.pruned_at,
      seed: run.seed,
      groupKey: run.groupKey,
    };
  });
}

/** The best trial: highest best validation accuracy, ties to the earlier trial. */
export function bestTrial(trials: TrialInfo[]): TrialInfo | null {
  let best: TrialInfo | null = null;
  for (const t of trials) if (t.best !== null && (!best || t.best > best.best!)) best = t;
  return best;
}

export function sweepInfo(db: Db, id: number, trials = trialsOf(db, id)): SweepInfo {
  const r = row(db, id);
  const best = bestTrial(trials);
  return {
    ...(JSON.parse(r.spec) as SweepSpec),
    id,
    status: r.status,
    createdAt: r.created_at,
    trialsDone: trials.filter((t) => ['completed', 'pruned', 'failed'].includes(t.status)).length,
    bestRunId: best?.runId ?? null,
    bestValAcc: best?.best ?? null,
  };
}

export function listSweeps(db: Db): SweepInfo[] {
  return (db.prepare('SELECT id FROM sweeps ORDER BY id').pluck().all() as number[]).map((id) => sweepInfo(db, id));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A running sweep whose owner on this machine died is interrupted: `sweep resume` continues it. */
export function reconcileSweeps(db: Db): void {
  const rows = db.prepare("SELECT id, owner_pid FROM sweeps WHERE status = 'running' AND owner_host = ?").all(hostname()) as { id: number; owner_pid: number | null }[];
  for (const r of rows) if (r.owner_pid === null || !alive(r.owner_pid)) setStatus(db, r.id, 'interrupted');
}
