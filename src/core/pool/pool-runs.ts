// The pool's rows in SQLite: the Redis URL and this data folder's owner id (settings), each run's current job,
// and the runs a restarted owner adopts (training on a worker while no live process was committing their events).

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/open.js';
import { alive } from '../training/runs-repo.js';

const URL_KEY = 'pool.url';
const OWNER_KEY = 'pool.owner-id';

export function readPoolUrl(db: Db): string | null {
  return (db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(URL_KEY) as string | undefined) ?? null;
}

export function writePoolUrl(db: Db, url: string | null): void {
  if (url === null) db.prepare('DELETE FROM settings WHERE key = ?').run(URL_KEY);
  else db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(URL_KEY, url);
}

/** Names this data folder's jobs and streams in a Redis that several owners may share. */
export function ownerId(db: Db): string {
  const found = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(OWNER_KEY) as string | undefined;
  if (found) return found;
  const id = randomBytes(4).toString('hex');
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(OWNER_KEY, id);
  return db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(OWNER_KEY) as string;
}

/** Recorded before the job is added: an owner killed in between leaves a job id a successor can look up. */
export function setPoolJob(db: Db, runId: number, jobId: string): void {
  db.prepare('UPDATE runs SET pool_job = ? WHERE id = ?').run(jobId, runId);
}

/** The last epoch committed for a run (0 when none): a replayed epoch event at or below it is skipped. */
export function committedEpoch(db: Db, runId: number): number {
  return (db.prepare('SELECT MAX(epoch) FROM epochs WHERE run_id = ?').pluck().get(runId) as number | null) ?? 0;
}

/** Pool runs in flight whose committing process is gone; they become this process's (it consumes their events). */
export function claimOrphanedPoolRuns(db: Db, activeHere: (runId: number) => boolean): { id: number; jobId: string }[] {
  const rows = db
    .prepare("SELECT id, pool_job, owner_pid, owner_host FROM runs WHERE target = 'pool' AND status IN ('running', 'queued') AND pool_job IS NOT NULL")
    .all() as { id: number; pool_job: string; owner_pid: number | null; owner_host: string | null }[];
  const mine = (r: (typeof rows)[number]) => r.owner_host === hostname() && r.owner_pid === process.pid;
  // A process on another machine sharing this folder cannot be checked: only same-host owners are judged dead.
  const orphaned = rows.filter((r) => (mine(r) && !activeHere(r.id)) || (r.owner_host === hostname() && (r.owner_pid === null || !alive(r.owner_pid))));
  const claim = db.prepare("UPDATE runs SET owner_pid = ?, owner_host = ?, status = 'running' WHERE id = ?");
  for (const r of orphaned) claim.run(process.pid, hostname(), r.id);
  return orphaned.map((r) => ({ id: r.id, jobId: r.pool_job }));
}
