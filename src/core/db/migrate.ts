// Numbered migrations, applied in order inside one transaction each; PRAGMA user_version is the version.

import type Database from 'better-sqlite3';
import { WorkbenchError } from '../../shared/errors.js';
import * as m001 from './migrations/001-datasets.js';
import * as m002 from './migrations/002-runs.js';
import * as m003 from './migrations/003-run-workers.js';
import * as m004 from './migrations/004-pool.js';
import * as m005 from './migrations/005-lineage.js';
import * as m006 from './migrations/006-sweeps.js';
import * as m007 from './migrations/007-dataset-versions.js';
import * as m008 from './migrations/008-embeddings.js';
import * as m009 from './migrations/009-run-summary.js';
import * as m010 from './migrations/010-model-exports.js';
import * as m011 from './migrations/011-autopilot.js';
import * as m012 from './migrations/012-summary-bn-stats.js';

export const migrations: readonly { version: number; up: string }[] = [
  { version: 1, up: m001.up },
  { version: 2, up: m002.up },
  { version: 3, up: m003.up },
  { version: 4, up: m004.up },
  { version: 5, up: m005.up },
  { version: 6, up: m006.up },
  { version: 7, up: m007.up },
  { version: 8, up: m008.up },
  { version: 9, up: m009.up },
  { version: 10, up: m010.up },
  { version: 11, up: m011.up },
  { version: 12, up: m012.up },
];

export const LATEST_VERSION = migrations[migrations.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the database to `target` (default: latest). A database from a newer app is refused, not damaged. */
export function migrate(db: Database.Database, target = LATEST_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new WorkbenchError(
      'conflict',
      `this data folder was written by a newer Digit Workbench (schema ${current}, this app knows ${LATEST_VERSION}); update the app`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
