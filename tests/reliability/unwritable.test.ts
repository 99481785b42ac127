// Unwritable targets: a model export (tfjs folder, ONNX file) into a read-only folder and onto a full disk — real failures on every machine
// (a read-only or filled tmpfs as root, chmod otherwise: tests/helpers/unwritable.ts), the injected ones through
// fsSeam for a half-written file — and a database that is full when a checkpoint must be written.
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { fsSeam } from '../../src/core/fs-atomic.js';
import { WorkbenchError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { fullFolder, readOnlyFolder } from '../helpers/unwritable.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
let runId: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: join(dir.path, 'home'), sample: false, backend: 'wasm', workers: 1 });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  [{ id: runId }] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
  expect(await wb.runs.waitFor(runId)).toBe('completed');
});
afterAll(() => {
  wb.close();
  dir.remove();
});

async function failure(promise: Promise<unknown>): Promise<WorkbenchError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbenchError);
  return err as WorkbenchError;
}

function withSeam<T>(code: string, body: () => Promise<T>): Promise<T> {
  const original = fsSeam.writeSync;
  fsSeam.writeSync = (fd, data, offset, length) => {
    original(fd, data, offset, Math.min(length, 64)); // half a file on disk, then the failure
    throw Object.assign(new Error(`${code}: injected`), { code });
  };
  return body().finally(() => (fsSeam.writeSync = original));
}

describe('a model export that cannot be written', () => {
  it('into a read-only folder: refused with the reason, nothing left behind', async () => {
    const locked = readOnlyFolder(join(dir.path, 'locked'));
    try {
      const err = await failure(wb.call('runs:export-model', { id: runId, out: join(locked.path, 'model') }));
      expect(err.code).toBe('io');
      const reason = locked.how === 'chmod' ? 'permission denied' : 'the folder is on a read-only file system';
      expect(err.message).toBe(`cannot write ${join(locked.path, 'model')}: ${reason}`);
      expect(readdirSync(locked.path)).toEqual([]);
    } finally {
      locked.release();
    }
  });

  it('onto a full disk (a filled tmpfs; mounting it needs root): the disk is full, the old export intact', async (ctx) => {
    // --force replaces only a previous export of this app: put a real one on the disk before it fills.
    const previous = join(dir.path, 'previous-export');
    await wb.call('runs:export-model', { id: runId, out: previous });
    const oldJson = readFileSync(join(previous, 'model.json'), 'utf8');
    const full = fullFolder(join(dir.path, 'full'), { bytes: 1024 * 1024, before: (path) => cpSync(previous, join(path, 'old'), { recursive: true }) });
    // The injected ENOSPC below covers this where mounting is refused.
    if (!full) return ctx.skip('skipped: mounting a tmpfs is refused (not root)');
    try {
      const err = await failure(wb.call('runs:export-model', { id: runId, out: join(full.path, 'old'), force: true }));
      expect(err.code).toBe('io');
      expect(err.message).toMatch(new RegExp(`^cannot write ${join(full.path, 'old')}/model\\.json: the disk is full$`));
      expect(readdirSync(full.path).filter((f) => f !== '.filler')).toEqual(['old']);
      expect(readdirSync(join(full.path, 'old')).sort()).toEqual(readdirSync(previous).sort());
      expect(readFileSync(join(full.path, 'old', 'model.json'), 'utf8')).toBe(oldJson);
    } finally {
      full.release();
    }
  });

  it('a write refused (EACCES) or a full disk (ENOSPC): a clear error, no partial folder, the old export intact', async () => {
    const folder = join(dir.path, 'exports');
    mkdirSync(folder);
    const err = await withSeam('EACCES', () => failure(wb.call('runs:export-model', { id: runId, out: join(folder, 'lenet') })));
    expect(err.code).toBe('io');
    expect(err.message).toBe(`cannot write ${join(folder, 'lenet', 'model.json')}: permission denied`);
    expect(readdirSync(folder)).toEqual([]);

    // A previous export survives a failed --force replacement whole.
    const previous = await wb.call('runs:export-model', { id: runId, out: join(folder, 'old') });
    const oldJson = readFileSync(join(previous.path, 'model.json'), 'utf8');
    const full = await withSeam('ENOSPC', () => failure(wb.call('runs:export-model', { id: runId, out: join(folder, 'old'), force: true })));
    expect(full.message).toMatch(/: the disk is full$/);
    expect(readdirSync(folder)).toEqual(['old']);
    expect(readdirSync(join(folder, 'old')).sort()).toEqual(['.digit-workbench-model.json', 'model.json', 'weights.bin']);
    expect(readFileSync(join(folder, 'old', 'model.json'), 'utf8')).toBe(oldJson);

    // And once the disk has room again, the same export works.
    const ok = await wb.call('runs:export-model', { id: runId, out: join(folder, 'old'), force: true });
    expect(readdirSync(ok.path).sort()).toEqual(['.digit-workbench-model.json', 'model.json', 'weights.bin']);
    expect(readdirSync(folder)).toEqual(['old']);
  });
});

describe('an ONNX export that cannot be written', () => {
  it('on a full disk (ENOSPC): a clear error, no partial file, no ledger row, the previous export intact', async () => {
    const folder = join(dir.path, 'onnx');
    mkdirSync(folder);
    const out = join(folder, 'model.onnx');
    await wb.call('runs:export-model', { id: runId, out, format: 'onnx' });
    const before = readFileSync(out);
    const ledger = () => wb.db.prepare('SELECT COUNT(*) FROM model_exports WHERE path = ?').pluck().get(out);
    expect(ledger()).toBe(1);
    const err = await withSeam('ENOSPC', () => failure(wb.call('runs:export-model', { id: runId, out, format: 'onnx', force: true })));
    expect(err.code).toBe('io');
    expect(err.message).toBe(`cannot write ${out}: the disk is full`);
    expect(readdirSync(folder)).toEqual(['model.onnx']);
    expect(Buffer.compare(readFileSync(out), before)).toBe(0);
    expect(ledger()).toBe(1);
    const fresh = join(folder, 'fresh.onnx');
    await withSeam('ENOSPC', () => failure(wb.call('runs:export-model', { id: runId, out: fresh, format: 'onnx' })));
    expect(readdirSync(folder)).toEqual(['model.onnx']);
  });
});

describe('a checkpoint that cannot be written: the database is full', () => {
  it('fails the run with a clear error, leaves no partial rows, and the store works once there is room', async () => {
    const rowsOf = (table: string, id: number) => wb.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE run_id = ?`).pluck().get(id);
    const pages = wb.db.pragma('page_count', { simple: true }) as number;
    const pageSize = wb.db.pragma('page_size', { simple: true }) as number;
    // 256 KB of room: enough for the run's row and its model summary, not for a checkpoint (~740 KB of weights and
    // Adam slots), whatever the page size.
    wb.db.pragma(`max_page_count = ${pages + Math.ceil((256 * 1024) / pageSize)}`);
    const defaultMax = 1073741823;
    let id: number;
    try {
      [{ id }] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2 } });
      expect(await wb.runs.waitFor(id)).toBe('failed');
      const run = await wb.call('runs:get', { id });
      expect(run.error).toMatch(/full/);
      expect(run.error).toMatch(/epoch 1/);
      expect(run.epochs).toEqual([]);
      expect(rowsOf('checkpoints', id)).toBe(0);
      expect(rowsOf('val_predictions', id)).toBe(0);
      expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // Reading still works while the database is full.
      expect((await wb.call('runs:list', undefined)).map((r) => r.status)).toEqual(['completed', 'failed']);
    } finally {
      wb.db.pragma(`max_page_count = ${defaultMax}`);
    }
    await wb.call('runs:resume', { id: id! });
    expect(await wb.runs.waitFor(id!)).toBe('completed');
    expect((await wb.call('runs:get', { id: id! })).epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(rowsOf('checkpoints', id!)).toBeGreaterThan(0);
    expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
