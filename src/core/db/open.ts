// Opens workbench.db: WAL so the app, serve mode, the CLI and the trainer's supervisor can share it, foreign keys
// on, a busy timeout so concurrent writers wait instead of failing with SQLITE_BUSY.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../../shared/errors.js';
import { migrate } from './migrate.js';

export type Db = Database.Database;

export const DB_FILE = 'workbench.db';

export function openDatabase(home: string, opts: { migrate?: boolean } = {}): Db {
  try {
    mkdirSync(home, { recursive: true });
  } catch (err) {
    throw new WorkbenchError('io', `cannot create the data folder ${home}: ${(err as Error).message}`);
  }
  // Electron's ABI needs its own build of the addon; the desktop app points at it (the Node build stays intact).
  const nativeBinding = process.env.DIGIT_WORKBENCH_SQLITE_BINDING || undefined;
  let db: Db;
  try {
    db = new Database(join(home, DB_FILE), nativeBinding ? { nativeBinding } : {});
  } catch (err) {
    throw new WorkbenchError('io', `cannot open ${join(home, DB_FILE)}: ${(err as Error).message}`);
  }
  // 64 KiB pages for a new store: images are stored in chunks of 1,024 and checkpoints are large blobs, and big
  // pages write them several times faster than 4 KiB ones. (Only settable before the first write.)
  if (db.pragma('page_count', { simple: true }) === 0) db.pragma('page_size = 65536');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  if (opts.migrate !== false) migrate(db);
  return db;
}
