// Each numbered migration: applies on an empty database, and on the previous version with its data intact.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LATEST_VERSION, migrate, migrations, schemaVersion } from '../../src/core/db/migrate.js';
import { openDatabase } from '../../src/core/db/open.js';
import { tempDir } from '../helpers/temp-home.js';
import { presets } from '../../src/core/training/presets.js';
import { listRuns } from '../../src/core/training/runs-list.js';

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

  it('003 adds the worker count to runs of a version-2 database, unknown (null) for the runs it already has', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 2);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare(
      "INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, backend, app_version, created_at) VALUES (1, 'abc', 'dnn', 'stopped', '{}', 1, 'wasm', '0.1.0', 'now')",
    ).run();
    expect(migrate(db, 3)).toBe(3);
    expect(db.prepare('SELECT backend, workers FROM runs').get()).toEqual({ backend: 'wasm', workers: null });
    db.prepare('UPDATE runs SET workers = 2').run();
    expect(db.prepare('SELECT workers FROM runs').pluck().get()).toBe(2);
    expect(() => db.prepare('UPDATE runs SET workers = 0').run()).toThrow(/CHECK constraint/);
    db.close();
  });

  it('004 adds where a run trains and which worker trained each epoch, keeping version-3 runs local', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 3);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'p', 'completed', '{}', 1, '0.1.0', 'now')").run();
    db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, lr, seconds, images_per_second) VALUES (1, 1, 1, 0.5, 0.001, 1, 100)').run();
    expect(migrate(db, 4)).toBe(4);
    expect(db.prepare('SELECT target, pool_job FROM runs').get()).toEqual({ target: 'local', pool_job: null });
    expect(db.prepare('SELECT worker FROM epochs').pluck().get()).toBeNull();
    expect(() => db.prepare("UPDATE runs SET target = 'moon'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('005-lineage adds run lineage, per-epoch CPU and memory and run logs to a version-4 database, keeping its runs', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 4);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'completed', '{}', 1, '0.1.0', 'now')").run();
    db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, lr, seconds, images_per_second) VALUES (1, 1, 0.5, 0.9, 0.001, 2, 100)').run();
    const version = migrations.find((m) => m.up.includes('run_logs'))!.version;
    expect(migrate(db, version)).toBe(version);
    // Older runs and epochs keep their data and have no lineage or system figures (null, not made up).
    expect(db.prepare('SELECT preset, lineage FROM runs').get()).toEqual({ preset: 'dnn', lineage: null });
    expect(db.prepare('SELECT loss, cpu_percent, rss_mb FROM epochs').get()).toEqual({ loss: 0.5, cpu_percent: null, rss_mb: null });
    db.prepare("INSERT INTO run_logs (run_id, seq, at, level, message) VALUES (1, 1, 'now', 'info', 'hello')").run();
    expect(() => db.prepare("INSERT INTO run_logs (run_id, seq, at, level, message) VALUES (1, 2, 'now', 'loud', 'x')").run()).toThrow(/CHECK constraint/);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM runs WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM run_logs').pluck().get()).toBe(0); // a deleted run takes its log along
    db.close();
  });

  it('006 (sweeps) adds the sweeps table and run.sweep_id / pruned_at to a version-5 database and keeps its runs', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 5);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'completed', '{}', 1, '0', 'now')").run();
    const sweeps = migrations.find((m) => m.up.includes('CREATE TABLE sweeps'))!;
    expect(migrate(db, sweeps.version)).toBe(sweeps.version);
    expect(tables(db)).toContain('sweeps');
    expect(db.prepare('SELECT preset, sweep_id, pruned_at FROM runs').get()).toEqual({ preset: 'dnn', sweep_id: null, pruned_at: null });
    db.pragma('foreign_keys = ON');
    db.prepare("INSERT INTO sweeps (spec, status, created_at) VALUES ('{}', 'running', 'now')").run();
    db.prepare('UPDATE runs SET sweep_id = 1, pruned_at = 1').run();
    expect(() => db.prepare("INSERT INTO sweeps (spec, status, created_at) VALUES ('{}', 'paused', 'now')").run()).toThrow(/CHECK/);
    // Deleting a sweep keeps its runs: they are ordinary runs.
    db.prepare('DELETE FROM sweeps').run();
    expect(db.prepare('SELECT sweep_id FROM runs').pluck().get()).toBeNull();
    db.close();
  });

  it('007 (dataset versions) adds the lineage table to a version-6 database and keeps its datasets', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 6);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('old', 'train', 1, 'abc', 'f.csv', 'now')").run();
    migrate(db);
    expect(tables(db)).toContain('dataset_versions');
    expect(db.prepare('SELECT name FROM datasets').pluck().get()).toBe('old');
    db.close();
  });

  it('008 (embeddings) adds the embedding maps to a version-7 database, keyed by run and parameters, gone with the run', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 7);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'completed', '{}', 1, '0', 'now')").run();
    const embeddings = migrations.find((m) => m.up.includes('CREATE TABLE embeddings'))!;
    expect(migrate(db, embeddings.version)).toBe(embeddings.version);
    expect(db.prepare('SELECT preset FROM runs').pluck().get()).toBe('dnn');
    db.pragma('foreign_keys = ON');
    const insert = db.prepare(
      "INSERT INTO embeddings (run_id, neighbors, seed, epoch, width, backend, indices, coords, probs, computed_at) VALUES (1, ?, ?, 3, 84, 'wasm', x'00', x'00', x'00', 'now')",
    );
    insert.run(15, 1);
    insert.run(15, 2);
    expect(() => insert.run(15, 1)).toThrow(/UNIQUE/);
    expect(() => insert.run(1, 1)).toThrow(/CHECK/);
    db.prepare('DELETE FROM runs').run();
    expect(db.prepare('SELECT COUNT(*) FROM embeddings').pluck().get()).toBe(0);
    db.close();
  });

  it('009 fills the runs\u2019 summary figures from their epochs and keeps them true as epochs change', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 7);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    const run = db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'stopped', '{}', 1, '0.1.0', 'now')");
    run.run();
    run.run();
    const epoch = db.prepare('INSERT OR REPLACE INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, lr, seconds, images_per_second, worker) VALUES (1, ?, 1, 0.5, ?, ?, 0.001, ?, ?, ?)');
    epoch.run(1, 0.3, 0.9, 2, 100, null);
    epoch.run(2, 0.2, 0.95, 3, 300, 'w1');
    epoch.run(3, 0.25, 0.95, 1, 200, null); // ties epoch 2 on val acc with a higher val loss: epoch 2 stays best
    const figures = (id: number) =>
      db.prepare('SELECT epochs_done, train_seconds, mean_ips, best_epoch, best_val_acc, last_val_acc, param_summary FROM runs WHERE id = ?').get(id);
    migrate(db, 9);
    // Filled for the runs it found: with epochs, and without (run 2).
    expect(figures(1)).toEqual({ epochs_done: 3, train_seconds: 6, mean_ips: 200, best_epoch: 2, best_val_acc: 0.95, last_val_acc: 0.95, param_summary: null });
    expect(figures(2)).toEqual({ epochs_done: 0, train_seconds: 0, mean_ips: null, best_epoch: null, best_val_acc: null, last_val_acc: null, param_summary: null });
    // Inserted, replaced, deleted: the triggers recompute.
    epoch.run(4, 0.1, 0.95, 4, 400, null); // same val acc, lower val loss: the new best
    expect(figures(1)).toMatchObject({ epochs_done: 4, train_seconds: 10, mean_ips: 250, best_epoch: 4 });
    epoch.run(4, 0.5, 0.5, 1, 100, null);
    expect(figures(1)).toMatchObject({ epochs_done: 4, train_seconds: 7, best_epoch: 2, last_val_acc: 0.5 });
    db.prepare('DELETE FROM epochs WHERE run_id = 1 AND epoch > 1').run();
    expect(figures(1)).toMatchObject({ epochs_done: 1, train_seconds: 2, best_epoch: 1, best_val_acc: 0.9, last_val_acc: 0.9 });
    // An epoch without validation never becomes the best.
    db.prepare('INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, lr, seconds, images_per_second) VALUES (2, 1, 1, 0.5, NULL, NULL, 0.001, 1, 10)').run();
    expect(figures(2)).toMatchObject({ epochs_done: 1, best_epoch: null, last_val_acc: null });
    // The pool workers' partial index is what the runs list's worker query uses.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT run_id, worker FROM epochs WHERE worker IS NOT NULL AND run_id IN (1, 2) GROUP BY run_id, worker').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/epochs_worker/);
    db.close();
  });

  it('010 (model exports) adds the ledger of exported model files to a version-9 database, kept when its run is deleted', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, 9);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'completed', '{}', 1, '0.1.0', 'now')").run();
    expect(migrate(db, 10)).toBe(10);
    expect(db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(1);
    const insert = db.prepare("INSERT INTO model_exports (run_id, weights, epoch, format, path, sha256, bytes, created_at) VALUES (1, ?, 3, ?, '/m.onnx', 'f00d', 1234, 'now')");
    insert.run('best', 'onnx');
    expect(() => insert.run('middle', 'onnx')).toThrow(/CHECK/);
    expect(() => insert.run('best', 'pt')).toThrow(/CHECK/);
    db.prepare('DELETE FROM runs WHERE id = 1').run();
    expect(db.prepare('SELECT run_id, sha256, bytes FROM model_exports').all()).toEqual([{ run_id: 1, sha256: 'f00d', bytes: 1234 }]);
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

  it('011 (autopilot) adds the jobs table and run.autopilot_id to a version-10 database and keeps its runs', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'x.db'));
    migrate(db, 10);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, seed, app_version, created_at) VALUES (1, 'abc', 'dnn', 'completed', '{}', 1, '0', 'now')").run();
    expect(migrate(db, 11)).toBe(11);
    expect(db.prepare('SELECT preset, autopilot_id FROM runs').get()).toEqual({ preset: 'dnn', autopilot_id: null });
    db.pragma('foreign_keys = ON');
    const job = db.prepare("INSERT INTO autopilot_jobs (dataset_id, test_dataset_id, budget_seconds, status, stage, created_at) VALUES (1, 1, ?, 'running', 'calibrating', 'now')");
    job.run(900);
    expect(() => job.run(0)).toThrow(/CHECK/);
    db.prepare('UPDATE runs SET autopilot_id = 1').run();
    db.prepare('DELETE FROM autopilot_jobs').run();
    expect(db.prepare('SELECT autopilot_id FROM runs').pluck().get()).toBeNull();
    db.close();
  });

  it('012 clears the stored summary of cnn-strong runs from before batchNormStats, so the list names their keras', () => {
    dir = tempDir();
    const db = new Database(join(dir.path, 'workbench.db'));
    migrate(db, 11);
    db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('d', 'train', 1, 'abc', 'f.csv', 'now')").run();
    const run = db.prepare("INSERT INTO runs (dataset_id, dataset_sha256, preset, status, hyperparams, param_summary, seed, app_version, created_at) VALUES (1, 'abc', ?, 'completed', ?, '{}', 1, '0', 'now')");
    run.run('cnn-strong', JSON.stringify({ ...presets['cnn-strong'].hyperparams, batchNormStats: undefined }));
    run.run('cnn-strong', JSON.stringify({ ...presets['cnn-strong'].hyperparams, batchNormStats: 'recomputed' }));
    run.run('dnn', JSON.stringify(presets.dnn.hyperparams));
    expect(migrate(db, 12)).toBe(12);
    expect(db.prepare('SELECT param_summary FROM runs ORDER BY id').pluck().all()).toEqual([null, '{}', '{}']);
    db.close();
    // Listed through the store, the old run's summary now names the option it trained with.
    const store = openDatabase(dir.path);
    try {
      expect(listRuns(store).find((r) => r.id === 1)?.params).toEqual({ batchNormStats: 'keras' });
    } finally {
      store.close();
    }
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
