// Each run's own log, in the database beside the run (so every process that shares the store reads the same
// lines, and deleting the run deletes them). Bounded: a run keeps its last MAX_LINES lines.

import type { Db } from '../db/open.js';
import type { Level } from '../logger.js';
import type { RunLogPage } from '../../shared/lineage.js';
import { notFound } from '../../shared/errors.js';

export const MAX_LINES = 5000;
export const PAGE_LINES = 1000;
const MAX_MESSAGE = 8000;

export function appendRunLog(db: Db, runId: number, level: Level, message: string): void {
  const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters in the log file)` : message;
  db.transaction(() => {
    const last = (db.prepare('SELECT MAX(seq) FROM run_logs WHERE run_id = ?').pluck().get(runId) as number | null) ?? 0;
    db.prepare('INSERT INTO run_logs (run_id, seq, at, level, message) VALUES (?, ?, ?, ?, ?)').run(runId, last + 1, new Date().toISOString(), level, text);
    if (last + 1 > MAX_LINES) db.prepare('DELETE FROM run_logs WHERE run_id = ? AND seq <= ?').run(runId, last + 1 - MAX_LINES);
  }).immediate();
}

/** Lines after `offset` (a seq), oldest first, at most PAGE_LINES; `next` continues where this page ends. */
export function readRunLog(db: Db, runId: number, offset = 0): RunLogPage {
  if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw notFound(`no run with id ${runId}`);
  const lines = db
    .prepare('SELECT seq, at, level, message FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(runId, offset, PAGE_LINES) as RunLogPage['lines'];
  return { lines, next: lines.length ? lines[lines.length - 1].seq : offset };
}
