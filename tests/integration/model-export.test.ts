// model export: tfjs loads the files and predicts what the run's stored validation predictions say.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { queueRuns } from '../../src/core/training/start.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

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
    expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
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
    await wb.call('runs:export-model', { id: runId, out, weights: 'last', force: true });
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
