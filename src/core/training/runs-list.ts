// The runs table's rows, fast with thousands of runs: one read of each run's row, whose summary figures the
// epochs' triggers keep (migration 009), for every run, a page of them, or the ids a live update names. Each row
// carries its hyperparameters summarised: only those that differ from its preset, flattened ("augmentation.rotation").

import type { Db } from '../db/open.js';
import { flatten } from '../../shared/hyperparams-flat.js';
import { presets } from './presets.js';
import { storedHyperparams, type Hyperparams, type PresetName } from '../../shared/hyperparams.js';
import type { RunInfo, RunStatus, RunTarget } from '../../shared/runs.js';

export interface RunListQuery {
  /** Only these runs (a live update's refresh); unknown ids are left out. */
  ids?: number[];
  /** Runs in id order: skip this many. */
  offset?: number;
  limit?: number;
  /** Highest id first (the table's first screen before the whole list has arrived). */
  newestFirst?: boolean;
}

interface ListRow {
  id: number;
  dataset_id: number;
  preset: string;
  status: RunStatus;
  seed: number;
  backend: string | null;
  backend_note: string | null;
  workers: number | null;
  error: string | null;
  notes: string;
  tags: string;
  group_key: string | null;
  target: RunTarget;
  sweep_id: number | null;
  pruned_at: number | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  epochs_planned: number;
  epochs_done: number;
  train_seconds: number;
  mean_ips: number | null;
  best_epoch: number | null;
  best_val_acc: number | null;
  last_val_acc: number | null;
  param_summary: string | null;
}

const COLUMNS = `id, dataset_id, preset, status, seed, backend, backend_note, workers, error, notes, tags, group_key, target, sweep_id,
  pruned_at, created_at, started_at, ended_at, json_extract(hyperparams, '$.epochs') AS epochs_planned, epochs_done, train_seconds,
  mean_ips, best_epoch, best_val_acc, last_val_acc, param_summary`;

const presetFlat = new Map<string, Record<string, string>>();
function flatPreset(name: string): Record<string, string> {
  let flat = presetFlat.get(name);
  if (!flat) {
    const preset = presets[name as PresetName];
    flat = preset ? flatten(preset.hyperparams) : {};
    presetFlat.set(name, flat);
  }
  return flat;
}

/**
 * The hyperparameters that differ from the run's preset, flattened; the seed is left out (the run has its own
 * field) and a changed model is summarised by its layer count rather than every layer in words.
 */
export function paramSummary(preset: string, hyperparams: Hyperparams): Record<string, string> {
  const base = flatPreset(preset);
  const out: Record<string, string> = {};
  const { model, seed: _seed, ...rest } = hyperparams;
  for (const [k, v] of Object.entries(flatten(rest))) if (base[k] !== v) out[k] = v;
  if (model && flatten({ model }).model !== base.model) out.model = `${model.length} layers`;
  return out;
}

/** Runs from before migration 009 get their summary on first listing; it is stored for the next. */
function summarise(db: Db, ids: number[]): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const rows = db.prepare('SELECT id, preset, hyperparams FROM runs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as {
    id: number;
    preset: string;
    hyperparams: string;
  }[];
  for (const r of rows) out.set(r.id, paramSummary(r.preset, storedHyperparams(r.hyperparams)));
  try {
    const put = db.prepare('UPDATE runs SET param_summary = ? WHERE id = ?');
    db.transaction(() => {
      for (const [id, params] of out) put.run(JSON.stringify(params), id);
    })();
  } catch {
    // A read-only or full data folder still lists its runs: the summary is computed again next time.
  }
  return out;
}

/** Distinct pool workers per run, in order of each worker's first epoch (the partial index holds only those). */
function trainedBy(db: Db, where: string, params: unknown[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const pairs = db
    .prepare(`SELECT run_id, worker FROM epochs WHERE worker IS NOT NULL AND run_id IN (${where}) GROUP BY run_id, worker ORDER BY run_id, MIN(epoch)`)
    .raw()
    .all(...params) as [number, string][];
  for (const [runId, worker] of pairs) out.set(runId, [...(out.get(runId) ?? []), worker]);
  return out;
}

export function listRuns(db: Db, q: RunListQuery = {}): RunInfo[] {
  let where = 'SELECT id FROM runs';
  const params: unknown[] = [];
  if (q.ids) {
    where += ' WHERE id IN (SELECT value FROM json_each(?))';
    params.push(JSON.stringify(q.ids));
  }
  const order = q.newestFirst ? 'ORDER BY id DESC' : 'ORDER BY id';
  where += ` ${order}`;
  if (q.limit !== undefined || q.offset !== undefined) {
    where += ' LIMIT ? OFFSET ?';
    params.push(q.limit ?? -1, q.offset ?? 0);
  }
  const rows = db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id IN (${where}) ${order}`).all(...params) as ListRow[];
  const workers = trainedBy(db, where, params);
  const missing = rows.filter((r) => r.param_summary === null).map((r) => r.id);
  const summaries = missing.length ? summarise(db, missing) : new Map<number, Record<string, string>>();
  return rows.map((r) => ({
    id: r.id,
    datasetId: r.dataset_id,
    preset: r.preset,
    status: r.status,
    seed: r.seed,
    backend: r.backend,
    backendNote: r.backend_note,
    workers: r.workers,
    error: r.error,
    notes: r.notes,
    tags: JSON.parse(r.tags) as string[],
    groupKey: r.group_key,
    sweepId: r.sweep_id,
    prunedAt: r.pruned_at,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    epochsPlanned: r.epochs_planned,
    epochsDone: r.epochs_done,
    bestEpoch: r.best_epoch,
    bestValAcc: r.best_val_acc,
    lastValAcc: r.last_val_acc,
    imagesPerSecond: r.mean_ips,
    durationSeconds: r.train_seconds,
    target: r.target,
    trainedBy: workers.get(r.id) ?? [],
    params: r.param_summary === null ? (summaries.get(r.id) ?? {}) : (JSON.parse(r.param_summary) as Record<string, string>),
  }));
}
