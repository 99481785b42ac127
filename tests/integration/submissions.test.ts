// Predictions and submissions on the bundled sample-test with short real runs: the Kaggle file's exact shape,
// agreement with the stored probabilities and the known answers, ensembles, TTA, single images, and refusals.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { ensembleProbabilities, runProbabilities } from '../../src/core/inference/predictions.js';
import { argmaxRows } from '../../src/shared/digits.js';
import { requireCheckpoint } from '../../src/core/inference/model-export.js';
import { fsSeam } from '../../src/core/fs-atomic.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { fullFolder, readOnlyFolder } from '../helpers/unwritable.js';
import { runCli } from '../helpers/cli-process.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { mulberry32 } from '../../src/shared/random.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let runA: number;
let runB: number;
let trainId: number;
const TEST = 2; // sample-test

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  trainId = await importSmallTrainSet(wb, dir.path, 500);
  const runs = await wb.call('runs:start', { datasetId: trainId, preset: 'seed-lenet5', hyperparams: { epochs: 2 }, seeds: [1, 2] });
  for (const r of runs) expect(await wb.runs.waitFor(r.id)).toBe('completed');
  [runA, runB] = runs.map((r) => r.id);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

const stored = (runId: number) => {
  const blob = wb.db.prepare('SELECT probs FROM predictions WHERE run_id = ? AND dataset_id = ? AND tta = 0').pluck().get(runId, TEST) as Buffer;
  return new Float32Array(new Uint8Array(blob).buffer);
};

describe('export of sample-test', () => {
  it('has the exact header, 2,000 rows with ImageId 1…2000, matches the stored predictions and scores as the app says', async () => {
    const out = join(dir.path, 'submission.csv');
    const s = await wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe('ImageId,Label');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(2000);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(rows.map((r) => r[1])).toEqual(Array.from(argmaxRows(stored(runA))));
    const truth = loadDatasetArrays(wb.db, TEST).labels!;
    const accuracy = rows.filter((r, i) => r[1] === truth[i]).length / 2000;
    expect(s.accuracy).toBe(accuracy);
    expect(accuracy).toBeGreaterThan(0.5);
    expect(s.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(2000);
    expect(s.confusion!.reduce((d, row, i) => d + row[i], 0)).toBe(Math.round(accuracy * 2000));
    expect(s).toMatchObject({ rows: 2000, runs: [runA], weights: 'best', tta: false, path: out, kaggleScore: null });
  });

  it('an ensemble is the mean of its members’ stored probabilities', async () => {
    const out = join(dir.path, 'ensemble.csv');
    const s = await wb.call('submissions:export', { runIds: [runA, runB], datasetId: TEST, out });
    const mean = await ensembleProbabilities(wb.predictContext, { runIds: [runA, runB], datasetId: TEST, weights: 'best', tta: false });
    const [a, b] = [stored(runA), stored(runB)];
    let maxDiff = 0;
    for (let i = 0; i < mean.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mean[i] - (a[i] + b[i]) / 2));
    expect(maxDiff).toBeLessThan(1e-6);
    const labels = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(labels).toEqual(Array.from(argmaxRows(mean)));
    expect(s.runs).toEqual([runA, runB]);
  });

  it('TTA with no shift equals the plain prediction; with shifts it differs', async () => {
    const run = await wb.call('runs:get', { id: runA });
    const checkpoint = requireCheckpoint(wb.db, runA, 'best');
    const pixels = loadDatasetArrays(wb.db, TEST).pixels.subarray(0, 200 * 784);
    const ask = (tta: boolean, ttaShift?: number) =>
      wb.inference.request({ type: 'predict', model: run.hyperparams.model, checkpoint, pixels, tta, ttaShift, backend: 'wasm' }, 'predicted');
    const [plain, zero, shifted] = [await ask(false), await ask(true, 0), await ask(true, 1)];
    const diff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    expect(diff(plain.probs, zero.probs)).toBeLessThan(1e-6);
    expect(diff(plain.probs, shifted.probs)).toBeGreaterThan(1e-3);
    const tta = await runProbabilities(wb.predictContext, runA, { datasetId: TEST, weights: 'best', tta: true });
    expect(diff(tta.subarray(0, 2000), shifted.probs)).toBeLessThan(1e-6);
  });

  it('a stored digit through single-image prediction gets the label the run gives it', async () => {
    const { pixels, labels } = loadDatasetArrays(wb.db, TEST);
    const probs = stored(runA);
    const predicted = argmaxRows(probs);
    const i = predicted.findIndex((p, k) => p === labels![k] && probs[k * 10 + p] > 0.9);
    const r = await wb.call('predict:image', { runId: runA, pixels: Buffer.from(pixels.subarray(i * 784, (i + 1) * 784)).toString('base64') });
    expect(r.label).toBe(labels![i]);
    expect(r.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('keeps the Kaggle score in the ledger, with a note above 0.9979', async () => {
    const [first] = await wb.call('submissions:list', undefined);
    expect((await wb.call('submissions:score', { id: first.id, score: 0.9912 })).scoreNote).toBeNull();
    expect((await wb.call('submissions:score', { id: first.id, score: 0.99843 })).scoreNote).toMatch(/original MNIST test set/);
    expect((await wb.call('submissions:list', undefined))[0].kaggleScore).toBe(0.99843);
  });
});

describe('refusals leave no file behind', () => {
  const attempt = async (args: Record<string, unknown>, message: RegExp) => {
    const before = (await wb.call('submissions:list', undefined)).length;
    await expect(wb.call('submissions:export', { runIds: [runA], datasetId: TEST, ...args } as never)).rejects.toThrow(message);
    expect((await wb.call('submissions:list', undefined)).length).toBe(before);
  };

  it('bad run ids, a labelled dataset, an existing file without force, relative and traversal paths', async () => {
    await attempt({ runIds: [999], out: join(dir.path, 'x.csv') }, /no run with id 999/);
    await attempt({ runIds: [0], out: join(dir.path, 'x.csv') }, /runIds\[0\]: must be an integer from 1/);
    await attempt({ datasetId: trainId, out: join(dir.path, 'x.csv') }, /is labelled \(a train set\)/);
    await attempt({ out: join(dir.path, 'submission.csv') }, /exists already \(use --force/);
    await attempt({ out: 'relative.csv' }, /out: must be an absolute path/);
    await attempt({ out: `${dir.path}/a/../b.csv` }, /out: must not contain "\.\."/);
    await attempt({ out: join(dir.path, 'x.txt') }, /a submission is a \.csv file/);
    expect(existsSync(join(dir.path, 'x.csv'))).toBe(false);
  });

  it('an unwritable folder and a full disk give a clear error and no partial file', async () => {
    // A real read-only folder on every machine (a read-only tmpfs as root, chmod otherwise).
    const readOnly = readOnlyFolder(join(dir.path, 'locked'));
    try {
      const reason = readOnly.how === 'chmod' ? 'permission denied' : 'the folder is on a read-only file system';
      await attempt({ out: join(readOnly.path, 's.csv') }, new RegExp(`^cannot write ${readOnly.path}/s\\.csv: ${reason}$`));
      expect(readdirSync(readOnly.path)).toEqual([]);
    } finally {
      readOnly.release();
    }
    // A disk that fills halfway through the file, injected (tests/reliability/unwritable.test.ts fills a real one).
    const locked = readOnly.path;
    const original = fsSeam.writeSync;
    fsSeam.writeSync = (fd, data, offset, length) => {
      original(fd, data, offset, Math.min(length, 100));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    try {
      await attempt({ out: join(locked, 's.csv') }, /cannot write .*s\.csv: the disk is full/);
    } finally {
      fsSeam.writeSync = original;
    }
    expect(readdirSync(locked)).toEqual([]);
    // A previous submission (the only kind --force replaces) survives a failed replacement whole.
    const previous = await wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: join(locked, 'keep.csv') });
    const old = readFileSync(previous.path, 'utf8');
    fsSeam.writeSync = () => {
      throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    };
    try {
      await attempt({ out: join(locked, 'keep.csv'), force: true }, /the disk is full/);
    } finally {
      fsSeam.writeSync = original;
    }
    expect(readFileSync(join(locked, 'keep.csv'), 'utf8')).toBe(old);
    expect(readdirSync(locked)).toEqual(['keep.csv']);
  });
});

describe('--force replaces only a submission the app wrote (one in the ledger, unchanged)', () => {
  const cli = (...args: string[]) => runCli(dir.path, args);
  const exportTo = (out: string, ...more: string[]) => cli('export', '--run', String(runA), '--test', String(TEST), '--out', out, ...more);

  it('the CLI refuses the user’s CSV, another tool’s submission and an edited one, and replaces its own', async () => {
    const mine = join(dir.path, 'budget.csv');
    writeFileSync(mine, 'month,amount\njan,12\n');
    const r = await exportTo(mine, '--force');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${mine} is not a submission Digit Workbench wrote`);
    expect(readFileSync(mine, 'utf8')).toBe('month,amount\njan,12\n');

    // A well-formed submission from someone else's notebook is still the user's file.
    const theirs = join(dir.path, 'theirs.csv');
    const text = `ImageId,Label\n${Array.from({ length: 2000 }, (_, i) => `${i + 1},7`).join('\n')}\n`;
    writeFileSync(theirs, text);
    expect((await exportTo(theirs, '--force')).code).toBe(1);
    expect(readFileSync(theirs, 'utf8')).toBe(text);

    const own = join(dir.path, 'own.csv');
    expect((await exportTo(own)).code).toBe(0);
    const before = (await wb.call('submissions:list', undefined)).length;
    const again = await exportTo(own, '--force', '--tta');
    expect(again.code, again.stderr).toBe(0);
    expect((await wb.call('submissions:list', undefined)).length).toBe(before + 1);
    // Edited by hand after the export: the user's now.
    writeFileSync(own, `${readFileSync(own, 'utf8')}# checked by hand\n`);
    const edited = await exportTo(own, '--force');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain(`${own} is not a submission Digit Workbench wrote`);
    expect(readFileSync(own, 'utf8')).toMatch(/# checked by hand\n$/);
  });

  it('the contract refuses a folder or a symlink in place of the file', async () => {
    const folder = join(dir.path, 'folder.csv');
    mkdirSync(folder);
    writeFileSync(join(folder, 'inside'), 'mine');
    await expect(wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: folder, force: true })).rejects.toThrow(`${folder} is not a regular file`);
    expect(readdirSync(folder)).toEqual(['inside']);
    const first = await wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: join(dir.path, 'target.csv') });
    const link = join(dir.path, 'link.csv');
    symlinkSync(first.path, link);
    await expect(wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: link, force: true })).rejects.toThrow(`${link} is a symbolic link`);
    });
});

describe('a real full disk (a tmpfs filled to the last byte; mounting it needs root)', () => {
  it('refuses the submission with "the disk is full", leaves no partial file and keeps the old one', async (ctx) => {
    // --force replaces only a submission of this app (its sha256 in the ledger): put a real one there first.
    const previous = await wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: join(dir.path, 'previous.csv') });
    const oldCsv = readFileSync(previous.path, 'utf8');
    const full = fullFolder(join(dir.path, 'full'), { before: (path) => writeFileSync(join(path, 'keep.csv'), oldCsv) });
    // Where mounting is refused, the injected ENOSPC above covers this path.
    if (!full) return ctx.skip('skipped: mounting a tmpfs is refused (not root)');
    try {
      const before = (await wb.call('submissions:list', undefined)).length;
      await expect(wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: join(full.path, 'keep.csv'), force: true })).rejects.toThrow(
        new RegExp(`^cannot write ${full.path}/keep\\.csv: the disk is full$`),
      );
      await expect(wb.call('submissions:export', { runIds: [runA], datasetId: TEST, out: join(full.path, 'new.csv') })).rejects.toThrow(/the disk is full$/);
      expect((await wb.call('submissions:list', undefined)).length).toBe(before);
      expect(readdirSync(full.path).filter((f) => f !== '.filler').sort()).toEqual(['keep.csv']);
      expect(readFileSync(join(full.path, 'keep.csv'), 'utf8')).toBe(oldCsv);
    } finally {
      full.release();
    }
  });
});

describe('the ledger and the test set', () => {
  it('an identical re-export keeps one ledger row (with its score) and points it at the newest copy', async () => {
    const first = await wb.call('submissions:export', { runIds: [runB], datasetId: TEST, weights: 'last', out: join(dir.path, 'same-1.csv') });
    await wb.call('submissions:score', { id: first.id, score: 0.91 });
    const count = (await wb.call('submissions:list', undefined)).length;
    const again = await wb.call('submissions:export', { runIds: [runB], datasetId: TEST, weights: 'last', out: join(dir.path, 'same-2.csv') });
    expect(again.id).toBe(first.id);
    expect(again.sha256).toBe(first.sha256);
    expect(again.kaggleScore).toBe(0.91);
    expect(again.path).toBe(join(dir.path, 'same-2.csv'));
    expect((await wb.call('submissions:list', undefined)).length).toBe(count);
  });

  it('warns, without refusing, when the test set is another kind of image than the runs trained on', async () => {
    expect((await wb.call('submissions:check', { runIds: [runA, runB], datasetId: TEST })).warnings).toEqual([]);
    // Garment-like silhouettes (a filled body with sleeves) where the runs learned digits.
    const rows = 120;
    const pixels = new Uint8Array(rows * 784);
    const random = mulberry32(5);
    for (let i = 0; i < rows; i++) {
      const w = 10 + Math.floor(random() * 10);
      const h = 14 + Math.floor(random() * 12);
      const [x0, y0] = [14 - (w >> 1), 14 - (h >> 1)];
      for (let y = y0; y < y0 + h; y++) for (let x = Math.max(0, x0 - (y < y0 + 6 ? 4 : 0)); x < Math.min(28, x0 + w + (y < y0 + 6 ? 4 : 0)); x++) pixels[i * 784 + y * 28 + x] = 150 + Math.floor(random() * 100);
    }
    const file = join(dir.path, 'clothes-test.csv');
    await writeKaggleCsv(file, { pixels, labels: null });
    const clothes = (await wb.importDataset({ path: file })).dataset;
    const [warning, ...more] = (await wb.call('submissions:check', { runIds: [runA], datasetId: clothes.id })).warnings;
    expect(more).toEqual([]);
    expect(warning).toMatch(/^"clothes-test" does not look like the images the model trained on \("small-500-7"\): \d+% of its pixels are ink against \d+% in the training set/);
    const r = await runCli(dir.path, ['export', '--run', String(runA), '--test', String(clothes.id), '--out', join(dir.path, 'clothes-sub.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: "clothes-test" does not look like the images the model trained on');
  });
});
