// model export: tfjs loads the files and predicts what the run's stored validation predictions say; --force
// replaces only a folder the app wrote (through the contract and the real CLI).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { queueRuns } from '../../src/core/training/start.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { runCli } from '../helpers/cli-process.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let runId: number;
let datasetId: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  const [run] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2 } });
  runId = run.id;
  expect(await wb.runs.waitFor(runId)).toBe('completed');
});
afterAll(() => {
  wb.close();
  dir.remove();
});

describe('model export', () => {
  it('writes model.json + weights.bin that tf.loadLayersModel loads, predicting the stored validation probabilities', async () => {
    const out = join(dir.path, 'lenet');
    const result = await wb.call('runs:export-model', { id: runId, out, weights: 'best' });
    expect(readdirSync(out).sort()).toEqual(['.digit-workbench-model.json', 'model.json', 'weights.bin']);
    expect(JSON.parse(readFileSync(join(out, '.digit-workbench-model.json'), 'utf8'))).toMatchObject({ app: 'digit-workbench', run: runId, weights: 'best', epoch: result.epoch });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const weightData = new Uint8Array(readFileSync(join(out, 'weights.bin'))).buffer;
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
    expect(model.countParams()).toBe(61_706);

    const stored = wb.db.prepare('SELECT epoch, indices, probs FROM val_predictions WHERE run_id = ?').get(runId) as { epoch: number; indices: Buffer; probs: Buffer };
    expect(stored.epoch).toBe(result.epoch);
    const indices = new Int32Array(new Uint8Array(stored.indices).buffer);
    const expected = new Float32Array(new Uint8Array(stored.probs).buffer);
    const { pixels } = loadDatasetArrays(wb.db, datasetId);
    const x = new Float32Array(indices.length * 784);
    indices.forEach((src, i) => {
      for (let p = 0; p < 784; p++) x[i * 784 + p] = pixels[src * 784 + p] / 255;
    });
    const probs = (model.predict(tf.tensor4d(x, [indices.length, 28, 28, 1])) as tf.Tensor).dataSync();
    let maxDiff = 0;
    for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probs[i] - expected[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('refuses an existing folder without force, and a run without weights, leaving nothing behind', async () => {
    const out = join(dir.path, 'lenet');
    await expect(wb.call('runs:export-model', { id: runId, out })).rejects.toThrow(/exists already \(use --force/);
    const replaced = await wb.call('runs:export-model', { id: runId, out, weights: 'last', force: true });
    expect(JSON.parse(readFileSync(join(out, '.digit-workbench-model.json'), 'utf8'))).toMatchObject({ run: runId, weights: 'last', epoch: replaced.epoch });
    expect(readdirSync(dir.path).filter((f) => f.startsWith('.lenet'))).toEqual([]);
    // A run stopped while still queued has no weights.
    const [queued] = queueRuns(wb.db, { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
    expect((await wb.call('runs:stop', { id: queued })).status).toBe('stopped');
    const none = join(dir.path, 'none');
    await expect(wb.call('runs:export-model', { id: queued, out: none })).rejects.toThrow(/has no best weights yet/);
    expect(existsSync(none)).toBe(false);
    await expect(wb.call('runs:export-model', { id: 999, out: none })).rejects.toThrow(/no run with id 999/);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('--force replaces only a folder holding nothing but a previous export', () => {
  const cli = (...args: string[]) => runCli(dir.path, args);
  const user = (name: string, files: Record<string, string>) => {
    const folder = join(dir.path, name);
    mkdirSync(folder);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
    return folder;
  };

  it('the CLI refuses a folder of the user’s files, naming it and the first foreign file, and deletes nothing', async () => {
    const folder = user('thesis', { 'chapter1.tex': 'years of work', 'z-notes.txt': 'more work' });
    const r = await cli('model', 'export', '--run', String(runId), '--out', folder, '--force');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${folder} holds chapter1.tex, which Digit Workbench did not write`);
    expect(readdirSync(folder).sort()).toEqual(['chapter1.tex', 'z-notes.txt']);
    expect(readFileSync(join(folder, 'chapter1.tex'), 'utf8')).toBe('years of work');
    // A previous export with one file of the user's added is not the app's alone any more.
    const mixed = join(dir.path, 'mixed');
    expect((await cli('model', 'export', '--run', String(runId), '--out', mixed)).code).toBe(0);
    writeFileSync(join(mixed, 'README.md'), 'mine');
    const m = await cli('model', 'export', '--run', String(runId), '--out', mixed, '--force');
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`${mixed} holds README.md`);
    expect(readFileSync(join(mixed, 'README.md'), 'utf8')).toBe('mine');
    expect(readdirSync(mixed).sort()).toEqual(['.digit-workbench-model.json', 'README.md', 'model.json', 'weights.bin']);
    // The CLI replaces its own previous export.
    const own = join(dir.path, 'own');
    expect((await cli('model', 'export', '--run', String(runId), '--out', own)).code).toBe(0);
    expect((await cli('model', 'export', '--run', String(runId), '--out', own, '--weights', 'last', '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(own, '.digit-workbench-model.json'), 'utf8'))).toMatchObject({ weights: 'last' });
  });

  it('the contract refuses look-alikes: tfjs files without the marker, a forged marker, a file, a symlink, a subfolder', async () => {
    const refuse = async (out: string, message: string) => {
      await expect(wb.call('runs:export-model', { id: runId, out, force: true })).rejects.toThrow(message);
    };
    const other = user('other-tool', { 'model.json': '{"theirs":true}', 'weights.bin': 'w' });
    await refuse(other, `${other} has no .digit-workbench-model.json`);
    expect(readFileSync(join(other, 'model.json'), 'utf8')).toBe('{"theirs":true}');
    const forged = user('forged', { '.digit-workbench-model.json': '{"app":"other"}', 'model.json': '{}' });
    await refuse(forged, `${forged}/.digit-workbench-model.json does not name Digit Workbench`);
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'mine');
    await refuse(file, `${file} is a file, not a model folder`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    const link = join(dir.path, 'link');
    symlinkSync(other, link);
    await refuse(link, `${link} is a symbolic link`);
    const nested = user('nested', { '.digit-workbench-model.json': JSON.stringify({ app: 'digit-workbench' }) });
    mkdirSync(join(nested, 'model.json'));
    writeFileSync(join(nested, 'model.json', 'inside'), 'mine');
    await refuse(nested, `${nested} holds model.json, which Digit Workbench did not write`);
    expect(readFileSync(join(nested, 'model.json', 'inside'), 'utf8')).toBe('mine');
    // An empty folder holds nothing to lose: --force fills it.
    const empty = user('empty', {});
    await wb.call('runs:export-model', { id: runId, out: empty, force: true });
    expect(readdirSync(empty).sort()).toEqual(['.digit-workbench-model.json', 'model.json', 'weights.bin']);
  });
});
