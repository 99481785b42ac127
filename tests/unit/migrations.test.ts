// Each numbered migration: applies on an empty database, and on the previous version with its data intact.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LATEST_VERSION, migrate, migrations, schemaVersion } from '../../src/core/db/migrate.js';
import { openDatabase } from '../../src/core/db/open.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

function tables(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('001 creates datasets, images and settings on an empty database', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    expect(migrate(db, 1)).toBe(1);
    expect(tables(db)).toEqual(['datasets', 'images', 'settings']);
    // Images are stored in chunks (one row per 1,024 images), class counts once on the dataset row.
    const columns = (table: string) => db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
    expect(columns('images')).toEqual(['dataset_id', 'first', 'count', 'labels', 'pixels']);
    expect(columns('datasets')).toContain('class_counts');
    db.close();
  });

  it('002 adds the run tables to a version-1 database and keeps its datasets', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 1);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('old', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare('INSERT INTO images (dataset_id, first, count, labels, pixels) VALUES (1, 0, 1, ?, ?)').run(Buffer.of(3), Buffer.alloc(784, 7));
    expect(migrate(db, 2)).toBe(2);
    expect(tables(db)).toEqual(
      ['checkpoints', 'datasets', 'epochs', 'images', 'predictions', 'runs', 'settings', 'submissions', 'val_predictions'].sort(),
    );
    expect(db.prepare('SELECT name FROM datasets').pluck().get()).toBe('old');
    expect((db.prepare('SELECT pixels FROM images').pluck().get() as Buffer)[783]).toBe(7);
    db.close();
  });

  it('007 (dataset versions) adds the lineage table to a version-2 database and keeps its datasets', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 2);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('old', 'train', 1, 'abc', 'f.csv', 'now')").run();
    migrate(db);
    expect(tables(db)).toContain('dataset_versions');
    expect(db.prepare('SELECT name FROM datasets').pluck().get()).toBe('old');
    db.close();
  });

  it('opening the store migrates to the latest version with WAL and foreign keys', () => {
    dir = tempDir();
    const db = openDatabase(dir.path);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a database written by a newer app without touching it', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'workbench.db'));
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(dir.path)).toThrow(/newer Digit Workbench/);
    const again = new Database(join(dir.path, 'workbench.db'));
    expect(schemaVersion(again)).toBe(LATEST_VERSION + 1);
    expect(tables(again)).toEqual([]);
    again.close();
  });

  it('a failing migration leaves the previous version intact', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 1);
    db.exec('CREATE TABLE runs (x)'); // a clash makes migration 2 fail half-way
    expect(() => migrate(db)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('epochs');
    db.close();
  });
});
