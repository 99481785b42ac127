// Reading the data folder's log files back: the newest lines of every process kind merged by time, for
// `digit-workbench logs` and serve mode's log download. Reads only each file's tail, so it stays bounded.

import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatRecord, parseLogLine, type LogRecord } from './log-format.js';
import { logsFolder } from './logger.js';

const TAIL_BYTES = 2 * 1024 * 1024;

export interface LogFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export function logFiles(home: string): LogFile[] {
  const folder = logsFolder(home);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.log'))
    .map((name) => {
      const path = join(folder, name);
      const st = statSync(path);
      return { path, size: st.size, mtimeMs: st.mtimeMs };
    })
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
}

/**
 * The whole lines in bytes [from, to) of a file, and the offset just past the last of them (where the next read
 * starts). `from` mid-line (a tail) drops the partial first line; `from` at a line start (following) keeps it.
 */
export function readLines(path: string, from: number, to: number, opts: { atLineStart?: boolean } = {}): { lines: string[]; next: number } {
  if (to <= from) return { lines: [], next: from };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    const end = buf.subarray(0, n).lastIndexOf(0x0a) + 1; // the part after the last newline is not a whole line yet
    const lines = buf.subarray(0, end).toString('utf8').split('\n');
    lines.pop();
    if (from > 0 && !opts.atLineStart) lines.shift();
    return { lines, next: from + end };
  } finally {
    closeSync(fd);
  }
}

/** The newest `max` records across the log files, oldest first; `runId` keeps one run's lines. */
export function recentLogRecords(home: string, opts: { max: number; runId?: number }): LogRecord[] {
  const records: LogRecord[] = [];
  for (const file of logFiles(home)) {
    for (const line of readLines(file.path, Math.max(0, file.size - TAIL_BYTES), file.size).lines) {
      const r = parseLogLine(line);
      if (r && (opts.runId === undefined || r.runId === opts.runId)) records.push(r);
    }
  }
  records.sort((a, b) => a.time - b.time);
  return records.slice(-opts.max);
}

export function recentLogText(home: string, max: number): string {
  return recentLogRecords(home, { max })
    .map((r) => `${formatRecord(r, { withProcess: true })}\n`)
    .join('');
}
