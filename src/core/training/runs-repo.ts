// Runs in SQLite: creation, status transitions, per-epoch metrics with their checkpoint in one transaction,
// validation predictions, and the summary figures the runs table shows.

import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { conflict, notFound } from '../../shared/errors.js';
import { storedHyperparams, type Hyperparams } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import { bestEpoch, type EpochMetrics, type RunDetail, type RunInfo, type RunStatus, type RunTarget } from '../../shared/runs.js';
import type { CheckpointData, LoopState, WeightsSlot } from '../../shared/trainer-protocol.js';
import type { RunLineage } from '../../shared/lineage.js';
import { paramSummary } from './runs-list.js';

interface RunRow {
  id: number;
  dataset_id: number;
  dataset_sha256: string;
  preset: string;
  status: RunStatus;
  hyperparams: string;
  summary: string | null;
  seed: number;
  backend: string | null;
  backend_note: string | null;
  workers: number | null;
  app_version: string;
  lineage: string | null;
  error: string | null;
  notes: string;
  tags: string;
  group_key: string | null;
  target: RunTarget;
  pool_job: string | null;
  sweep_id: number | null;
  pruned_at: number | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

interface EpochRow {
  epoch: number;
  loss: number;
  acc: number;
  val_loss: number | null;
  val_acc: number | null;
  lr: number;
  seconds: number;
  images_per_second: number;
  cpu_percent: number | null;
  rss_mb: number | null;
}

const now = () => new Date().toISOString();

function toMetrics(r: EpochRow): EpochMetrics {
  return { epoch: r.epoch, loss: r.loss, acc: r.acc, valLoss: r.val_loss, valAcc: r.val_acc, lr: r.lr, seconds: r.seconds, imagesPerSecond: r.images_per_second, cpuPercent: r.cpu_percent, rssMb: r.rss_mb };
}

export function epochsOf(db: Db, runId: number): EpochMetrics[] {
  return (db.prepare('SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as EpochRow[]).map(toMetrics);
}

/** Distinct pool workers of a run's epochs, in order of their first epoch. */
function workersOf(db: Db, runId: number): string[] {
  return db.prepare('SELECT worker FROM epochs WHERE run_id = ? AND worker IS NOT NULL GROUP BY worker ORDER BY MIN(epoch)').pluck().all(runId) as string[];
}

function toInfo(row: RunRow, epochs: EpochMetrics[], trainedBy: string[] = []): RunInfo {
  const hp = storedHyperparams(row.hyperparams);
  const best = bestEpoch(epochs);
  const last = epochs[epochs.length - 1];
  return {
    id: row.id,
    datasetId: row.dataset_id,
    preset: row.preset,
    status: row.status,
    seed: row.seed,
    backend: row.backend,
    backendNote: row.backend_note,
    workers: row.workers,
    error: row.error,
    notes: row.notes,
    tags: JSON.parse(row.tags) as string[],
    groupKey: row.group_key,
    sweepId: row.sweep_id,
    prunedAt: row.pruned_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    epochsPlanned: hp.epochs,
    epochsDone: epochs.length,
    bestEpoch: best?.epoch ?? null,
    bestValAcc: best?.valAcc ?? null,
    lastValAcc: last?.valAcc ?? null,
    imagesPerSecond: epochs.length ? epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / epochs.length : null,
    durationSeconds: epochs.reduce((s, e) => s + e.seconds, 0),
    target: row.target,
    trainedBy,
    params: paramSummary(row.preset, hp),
  };
}

function row(db: Db, id: number): RunRow {
  const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  if (!r) throw notFound(`no run with id ${id}`);
  return r;
}

export function getRun(db: Db, id: number): RunInfo {
  return toInfo(row(db, id), epochsOf(db, id), workersOf(db, id));
}

export function getRunDetail(db: Db, id: number): RunDetail {
  const r = row(db, id);
  const epochs = epochsOf(db, id);
  return {
    ...toInfo(r, epochs, workersOf(db, id)),
    hyperparams: storedHyperparams(r.hyperparams),
    summary: r.summary ? (JSON.parse(r.summary) as ModelSummary) : null,
    datasetSha256: r.dataset_sha256,
    appVersion: r.app_version,
    lineage: r.lineage ? (JSON.parse(r.lineage) as RunLineage) : null,
    epochs,
    epochWorkers: db.prepare('SELECT worker FROM epochs WHERE run_id = ? ORDER BY epoch').pluck().all(id) as (string | null)[],
  };
}

/** The runs table's rows: see runs-list.ts (summary columns only, paged or by id). */
export { listRuns, type RunListQuery } from './runs-list.js';

export function createRun(
  db: Db,
  opts: { datasetId: number; datasetSha256: string; preset: string; hyperparams: Hyperparams; appVersion: string; groupKey?: string | null; target?: RunTarget },
): number {
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, param_summary, seed, app_version, owner_pid, owner_host, group_key, target, created_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      opts.datasetId, opts.datasetSha256, opts.preset, JSON.stringify(opts.hyperparams), JSON.stringify(paramSummary(opts.preset, opts.hyperparams)),
      opts.hyperparams.seed, opts.appVersion, process.pid, hostname(), opts.groupKey ?? null, opts.target ?? 'local', now(),
    );
  return Number(lastInsertRowid);
}

/** The next queued runs this process owns that train here (local) or go to the worker pool, oldest first. */
export function queuedRunsOwned(db: Db, target: RunTarget = 'local'): number[] {
  return db
    .prepare("SELECT id FROM runs WHERE status = 'queued' AND owner_pid = ? AND owner_host = ? AND target = ? ORDER BY id")
    .pluck()
    .all(process.pid, hostname(), target) as number[];
}

export function markRunning(db: Db, id: number): void {
  db.prepare("UPDATE runs SET status = 'running', stop_requested = 0, error = NULL, ended_at = NULL, started_at = COALESCE(started_at, ?), owner_pid = ?, owner_host = ? WHERE id = ?").run(now(), process.pid, hostname(), id);
}

export function recordStarted(db: Db, id: number, opts: { backend: string; backendNote: string | null; workers: number; summary: ModelSummary }): void {
  db.prepare('UPDATE runs SET backend = ?, backend_note = ?, workers = ?, summary = ? WHERE id = ?').run(opts.backend, opts.backendNote, opts.workers, JSON.stringify(opts.summary), id);
}

/** The latest start's lineage: a resumed run records the process and backend that continued it. */
export function recordLineage(db: Db, id: number, lineage: RunLineage): void {
  db.prepare('UPDATE runs SET lineage = ? WHERE id = ?').run(JSON.stringify(lineage), id);
}

export function finishRun(db: Db, id: number, status: Exclude<RunStatus, 'queued' | 'running'>, error: string | null = null): void {
  db.prepare('UPDATE runs SET status = ?, error = ?, ended_at = ?, stop_requested = 0 WHERE id = ?').run(status, error, now(), id);
}

/** An epoch and its checkpoint slots land together: a killed trainer loses only the epoch it was in. */
export function persistCheckpoint(db: Db, runId: number, metrics: EpochMetrics | null, slots: WeightsSlot[], c: CheckpointData, worker: string | null = null): void {
  db.transaction(() => {
    if (metrics) {
      db.prepare(
        'INSERT OR REPLACE INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, lr, seconds, images_per_second, worker, cpu_percent, rss_mb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(runId, metrics.epoch, metrics.loss, metrics.acc, metrics.valLoss, metrics.valAcc, metrics.lr, metrics.seconds, metrics.imagesPerSecond, worker, metrics.cpuPercent ?? null, metrics.rssMb ?? null);
    }
    const put = db.prepare('INSERT OR REPLACE INTO checkpoints (run_id, slot, epoch, weights, optimizer, state) VALUES (?, ?, ?, ?, ?, ?)');
    for (const slot of slots) put.run(runId, slot, c.epoch, Buffer.from(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength), Buffer.from(c.optimizer.buffer, c.optimizer.byteOffset, c.optimizer.byteLength), JSON.stringify(c.state));
  }).immediate();
}

export function loadCheckpoint(db: Db, runId: number, slot: WeightsSlot): CheckpointData | null {
  const r = db.prepare('SELECT epoch, weights, optimizer, state FROM checkpoints WHERE run_id = ? AND slot = ?').get(runId, slot) as
    | { epoch: number; weights: Buffer; optimizer: Buffer; state: string }
    | undefined;
  if (!r) return null;
  return { epoch: r.epoch, weights: new Uint8Array(r.weights), optimizer: new Uint8Array(r.optimizer), state: JSON.parse(r.state) as LoopState };
}

/** Epochs after the last checkpoint cannot exist (they land together), but a resume starts clean regardless. */
export function trimAfter(db: Db, runId: number, epoch: number): void {
  db.prepare('DELETE FROM epochs WHERE run_id = ? AND epoch > ?').run(runId, epoch);
}

export function persistValPredictions(db: Db, runId: number, epoch: number, indices: Int32Array, probs: Float32Array): void {
  db.prepare('INSERT OR REPLACE INTO val_predictions (run_id, epoch, indices, probs) VALUES (?, ?, ?, ?)').run(
    runId,
    epoch,
    Buffer.from(indices.buffer, indices.byteOffset, indices.byteLength),
    Buffer.from(probs.buffer, probs.byteOffset, probs.byteLength),
  );
}

export function requestStop(db: Db, id: number): RunStatus {
  const r = row(db, id);
  if (r.status === 'queued') {
    finishRun(db, id, 'stopped', null);
    return 'stopped';
  }
  if (r.status !== 'running') throw conflict(`run ${id} is ${r.status}, not running`);
  db.prepare('UPDATE runs SET stop_requested = 1 WHERE id = ?').run(id);
  return 'running';
}

export function stopRequested(db: Db, id: number): boolean {
  return (db.prepare('SELECT stop_requested FROM runs WHERE id = ?').pluck().get(id) as number | undefined) === 1;
}

export function requeue(db: Db, id: number): void {
  const r = row(db, id);
  if (!['stopped', 'interrupted', 'failed'].includes(r.status)) {
    throw conflict(`run ${id} is ${r.status}: only a stopped, interrupted or failed run can be resumed`);
  }
  // A resumed pool run is a new job: the old one's id would let a later owner adopt a finished job.
  db.prepare("UPDATE runs SET status = 'queued', error = NULL, ended_at = NULL, stop_requested = 0, pool_job = NULL, owner_pid = ?, owner_host = ? WHERE id = ?").run(process.pid, hostname(), id);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs whose owner process on this machine has died become interrupted (resumable). Returns their ids. */
export function reconcileInterrupted(db: Db): number[] {
  // A pool run with a job keeps training on its worker: a later owner adopts it (pool-runs.ts), it is not interrupted.
  const rows = db.prepare("SELECT id, owner_pid FROM runs WHERE status IN ('running', 'queued') AND owner_host = ? AND pool_job IS NULL").all(hostname()) as {
    id: number;
    owner_pid: number | null;
  }[];
  const dead = rows.filter((r) => r.owner_pid === null || !alive(r.owner_pid)).map((r) => r.id);
  const mark = db.prepare("UPDATE runs SET status = 'interrupted', error = 'the process that ran it ended before it finished', ended_at = ? WHERE id = ? AND status IN ('running', 'queued')");
  for (const id of dead) mark.run(now(), id);
  return dead;
}

export function deleteRun(db: Db, id: number): void {
  const r = row(db, id);
  if (r.status === 'running' || r.status === 'queued') throw conflict(`run ${id} is ${r.status}: stop it first`);
  db.prepare('DELETE FROM runs WHERE id = ?').run(id);
}

export function updateRunMeta(db: Db, id: number, meta: { notes?: string; tags?: string[] }): void {
  row(db, id);
  if (meta.notes !== undefined) db.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(meta.notes, id);
  if (meta.tags !== undefined) db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(meta.tags), id);
}
