// App settings in the settings table, with their defaults.

import type { Db } from './db/open.js';
import type { BackendSetting } from '../shared/types.js';

export interface StoredSettings {
  backend: BackendSetting;
  concurrency: number;
}

const defaults: StoredSettings = { backend: 'auto', concurrency: 1 };

export function readSettings(db: Db): StoredSettings {
  const rows = db.prepare("SELECT key, value FROM settings WHERE key LIKE 'app.%'").all() as { key: string; value: string }[];
  const out: StoredSettings = { ...defaults };
  for (const { key, value } of rows) {
    if (key === 'app.backend') out.backend = value as BackendSetting;
    if (key === 'app.concurrency') out.concurrency = Number(value);
  }
  return out;
}

export function writeSettings(db: Db, changes: Partial<StoredSettings>): StoredSettings {
  const put = db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
  db.transaction(() => {
    if (changes.backend !== undefined) put.run('app.backend', changes.backend);
    if (changes.concurrency !== undefined) put.run('app.concurrency', String(changes.concurrency));
  })();
  return readSettings(db);
}
