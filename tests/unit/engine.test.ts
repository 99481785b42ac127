// The training engine on real digits: model building, training semantics, determinism and resume, export.
// Worker-thread tests load build/node/trainer/engine/worker.js: run `npm run build:node` first (npm test does).
// Training and resume run on every backend that loads here (tfjs-node too, where it installs);
// engine-native-double.test.ts proves the native path with a stand-in where it does not.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnistDigits, mulberry32 } from '../../src/core/datasets/mnist-digits.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { presets } from '../../src/core/training/presets.js';
import { BN_STATS } from '../../src/shared/hyperparams.js';
import { availableBackends, createEngine, planModel, type BackendName, type Engine, type EngineOptions } from '../../src/trainer/engine/index.js';

// The seed notebook's LeNet-5, as the preset defines it.
const LENET: LayerSpec[] = presets['seed-lenet5'].hyperparams.model;

/** Small enough for the cpu backend, yet it has every layer type (BatchNorm and dropout included). */
const SMALL: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.3 },
  { type: 'dense', units: 16, activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'dense', units: 10, activation: 'softmax' },
];

/** `count` real digits in a seeded shuffled order, as 0–1 floats. */
function digits(count: number, seed = 7): { x: Float32Array; y: Uint8Array } {
  const d = loadMnistDigits();
  const rng = mulberry32(seed);
  const x = new Float32Array(count * 784);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(rng() * d.count);
    for (let p = 0; p < 784; p++) x[i * 784 + p] = d.pixels[j * 784 + p] / 255;
    y[i] = d.labels[j];
  }
  return { x, y };
}

function batch(data: { x: Float32Array; y: Uint8Array }, k: number, size: number) {
  return { x: data.x.subarray(k * size * 784, (k + 1) * size * 784), y: data.y.subarray(k * size, (k + 1) * size) };
}

/** What this machine loads: the tests never assume which. */
const backends = await availableBackends();
const usable = backends.filter((b) => b.available).map((b) => b.name);

const engines: Engine[] = [];
async function engine(opts: Partial<EngineOptions> & { backend: BackendName }): Promise<Engine> {
  const e = await createEngine({ layers: SMALL, optimizer: { name: 'adam', learningRate: 1e-2 }, seed: 3, workers: 1, ...opts });
  engines.push(e);
  return e;
}

async function losses(e: Engine, data: { x: Float32Array; y: Uint8Array }, from: number, to: number, size: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = from; k < to; k++) {
    const b = batch(data, k, size);
    out.push((await e.trainBatch(b.x, b.y)).loss);
  }
  return out;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

describe('model building', () => {
  it('builds LeNet-5 with 61,706 parameters and Keras-style names and shapes', async () => {
    const e = await engine({ backend: 'cpu', layers: LENET });
    const s = e.summary();
    expect(s.totalParams).toBe(61706);
    expect(s.trainableParams).toBe(61706);
    expect(s.rows.map((r) => r.layer)).toEqual([
      'conv2d (Conv2D)', 'max_pooling2d (MaxPooling2D)', 'conv2d_1 (Conv2D)', 'max_pooling2d_1 (MaxPooling2D)',
      'flatten (Flatten)', 'dense (Dense)', 'dense_1 (Dense)', 'dense_2 (Dense)',
    ]);
    expect(s.rows[0]).toEqual({ layer: 'conv2d (Conv2D)', outputShape: [null, 28, 28, 6], params: 156 });
    expect(s.rows[3].outputShape).toEqual([null, 5, 5, 16]);
    expect(s.rows.map((r) => r.params)).toEqual([156, 0, 2416, 0, 0, 48120, 10164, 850]);
  });

  it('rejects a model that does not end in a 10-way softmax', async () => {
    await expect(createEngine({ layers: LENET.slice(0, -1), optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, backend: 'cpu' }))
      .rejects.toMatchObject({ code: 'bad-input' });
  });

  it('reports every backend, with the reason each one that does not load fails, and picks the first that loads', async () => {
    expect(backends.map((b) => b.name)).toEqual(['native', 'tensorflow', 'wasm', 'cpu']);
    for (const b of backends) expect(b.reason === null, b.name).toBe(b.available);
    expect(usable.length).toBeGreaterThan(0);
    const e = await createEngine({ layers: LENET, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, workers: 1 });
    engines.push(e);
    expect(e.backend).toBe(usable[0]);
    // The note names each preferred backend that did not load, with its reason.
    const skipped = backends.slice(0, backends.findIndex((b) => b.available));
    expect(e.backendNote).toBe(skipped.length ? skipped.map((b) => `${b.name}: ${b.reason}`).join('; ') : null);
  });
});

describe.each(usable)('training on %s', (backend) => {
  const data = digits(160);

  it('is bit-for-bit reproducible, and resuming from saved state continues the same run', async () => {
    const straight = await engine({ backend });
    const expected = await losses(straight, data, 0, 6, 16);
    const again = await engine({ backend });
    expect(await losses(again, data, 0, 6, 16)).toEqual(expected);

    const first = await engine({ backend });
    await losses(first, data, 0, 3, 16);
    const state = await first.saveState();
    expect(state.step).toBe(3);
    const resumed = await engine({ backend, seed: 3 });
    await resumed.loadState(state);
    expect(await losses(resumed, data, 3, 6, 16)).toEqual(expected.slice(3));
  });

  // An "epoch" of 3 batches; `recomputed` re-estimates its statistics at the epoch's end, as the trainer loop does.
  it.each(BN_STATS)('resuming equals the uninterrupted run with %s BatchNorm statistics (weights, statistics, predictions)', async (batchNormStats) => {
    const epoch = async (e: Engine, k: number) => {
      const out = await losses(e, data, 3 * k, 3 * k + 3, 16);
      if (batchNormStats === 'recomputed') await e.recomputeBatchNormStats(data.x.subarray(0, 64 * 784), 16);
      return out;
    };
    const straight = await engine({ backend, batchNormStats });
    const expected = [...(await epoch(straight, 0)), ...(await epoch(straight, 1))];
    const first = await engine({ backend, batchNormStats });
    await epoch(first, 0);
    const resumed = await engine({ backend, batchNormStats });
    await resumed.loadState(await first.saveState());
    expect([...expected.slice(0, 3), ...(await epoch(resumed, 1))]).toEqual(expected);
    expect((await resumed.saveState()).weights).toEqual((await straight.saveState()).weights);
    const some = batch(data, 9, 8).x;
    expect(await resumed.predict(some)).toEqual(await straight.predict(some));
  });

  it('uses dropout and batch statistics only in training, moving statistics in inference', async () => {
    const e = await engine({ backend });
    const before = await e.saveState();
    await losses(e, data, 0, 4, 16);
    const after = await e.saveState();
    expect(after.weights).not.toEqual(before.weights);
    // Training moved BatchNorm's moving mean away from its initial zeros.
    const artifacts = await e.exportArtifacts();
    let offset = 0;
    for (const spec of artifacts.weightSpecs) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (spec.name.includes('moving_mean')) {
        expect(new Float32Array(artifacts.weightData, offset * 4, size).some((v) => v !== 0)).toBe(true);
      }
      offset += size;
    }
    // Inference is deterministic and per image: a digit's probabilities do not depend on its batch-mates.
    const some = batch(data, 0, 8);
    const together = await e.predict(some.x);
    expect(await e.predict(some.x)).toEqual(together);
    const alone = await e.predict(some.x.slice(784, 2 * 784));
    alone.forEach((v, i) => expect(v).toBeCloseTo(together[10 + i], 6));
    const ev = await e.evaluate(some.x, some.y);
    expect(ev.probs).toEqual(together);
    expect(ev.loss).toBeGreaterThan(0);
  });
});

describe('LeNet-5 on wasm', () => {
  const data = digits(640, 11);

  it('learns: the loss on held-out digits falls after a few dozen batches', async () => {
    const e = await engine({ backend: 'wasm', layers: LENET, optimizer: { name: 'adam', learningRate: 1e-3 } });
    const held = batch(data, 4, 128);
    const start = await e.evaluate(held.x, held.y);
    for (let epoch = 0; epoch < 2; epoch++) await losses(e, data, 0, 16, 32);
    const end = await e.evaluate(held.x, held.y);
    expect(end.loss).toBeLessThan(start.loss * 0.6);
    expect(end.correct).toBeGreaterThan(start.correct);
  });

  it('with 2 workers: reproducible, and the same batch-mean gradient as 1 worker', async () => {
    const opts = { backend: 'wasm' as const, layers: LENET, optimizer: { name: 'adam' as const, learningRate: 1e-3 } };
    const one = await losses(await engine({ ...opts, workers: 1 }), data, 0, 5, 32);
    const two = await engine({ ...opts, workers: 2 });
    expect(two.workers).toBe(2);
    const a = await losses(two, data, 0, 5, 32);
    expect(await losses(await engine({ ...opts, workers: 2 }), data, 0, 5, 32)).toEqual(a);
    // Same updates up to float summation order.
    a.forEach((loss, i) => expect(loss).toBeCloseTo(one[i], 4));
  });

  it('with 2 workers: shares of changing size, and predictions between them, match 1 worker', async () => {
    const opts = { backend: 'wasm' as const, layers: LENET, optimizer: { name: 'adam' as const, learningRate: 1e-3 } };
    const [one, two] = [await engine({ ...opts, workers: 1 }), await engine({ ...opts, workers: 2 })];
    let k = 0;
    // 8 → 32 → 64 → 16 images, odd splits included.
    for (const size of [8, 9, 32, 64, 15]) {
      const b = { x: data.x.subarray(k * 784, (k + size) * 784), y: data.y.subarray(k, k + size) };
      k += size;
      const [r1, r2] = [await one.trainBatch(b.x, b.y), await two.trainBatch(b.x, b.y)];
      expect(r2.correct).toBe(r1.correct);
      expect(r2.loss).toBeCloseTo(r1.loss, 4);
    }
    // A prediction of 2,048+ images is split over both threads.
    const many = digits(2100, 5).x;
    const [p1, p2] = [await one.predict(many), await two.predict(many)];
    expect(p2.length).toBe(p1.length);
    p1.forEach((p, i) => expect(p2[i]).toBeCloseTo(p, 4));
  });

  it('with 2 workers: BatchNorm batch statistics come back from the worker and pool into the moving statistics', async () => {
    // After one step from the same weights, the first BatchNorm layer's moving statistics follow the whole batch's
    // (its input does not depend on how the batch was split), so 1 and 2 workers must agree.
    const opts = { backend: 'wasm' as const, layers: SMALL };
    const [one, two] = [await engine({ ...opts, workers: 1 }), await engine({ ...opts, workers: 2 })];
    const b = batch(data, 2, 32);
    await one.trainBatch(b.x, b.y);
    await two.trainBatch(b.x, b.y);
    const slots = planModel(SMALL).params.filter((p) => /^batch_normalization[^/]*\/moving_/.test(p.name)).slice(0, 2);
    expect(slots.map((p) => p.name.split('/')[1])).toEqual(['moving_mean', 'moving_variance']);
    const [w1, w2] = [new Float32Array((await one.saveState()).weights.buffer), new Float32Array((await two.saveState()).weights.buffer)];
    for (const p of slots) {
      const initial = p.name.endsWith('mean') ? 0 : 1;
      for (let i = p.offset; i < p.offset + p.size; i++) {
        expect(w2[i]).not.toBe(initial);
        expect(w2[i]).toBeCloseTo(w1[i], 5);
      }
    }
  });

  it('setLearningRate takes effect on the next step', async () => {
    const e = await engine({ backend: 'wasm', layers: LENET });
    e.setLearningRate(1e-12);
    expect(e.getLearningRate()).toBe(1e-12);
    const b = batch(data, 0, 32);
    const first = await e.trainBatch(b.x, b.y);
    const second = await e.trainBatch(b.x, b.y);
    expect(second.loss).toBeCloseTo(first.loss, 6);
    e.setLearningRate(1e-2);
    await e.trainBatch(b.x, b.y);
    expect((await e.trainBatch(b.x, b.y)).loss).toBeLessThan(first.loss);
  });

  it('saliency is the gradient of the class probability (checked by finite differences)', async () => {
    const e = await engine({ backend: 'wasm', layers: LENET });
    await losses(e, data, 0, 10, 32);
    const image = data.x.slice(0, 784);
    const cls = data.y[0];
    const grad = await e.saliency(image, cls);
    expect(grad.length).toBe(784);
    const top = Array.from(grad.keys()).sort((i, j) => Math.abs(grad[j]) - Math.abs(grad[i])).slice(0, 5);
    for (const p of top) {
      const h = 1e-2;
      const up = image.slice();
      const down = image.slice();
      up[p] += h;
      down[p] -= h;
      const [pu, pd] = [await e.predict(up), await e.predict(down)];
      const numeric = (pu[cls] - pd[cls]) / (2 * h);
      expect(Math.abs(numeric - grad[p])).toBeLessThan(0.05 * Math.abs(grad[p]) + 1e-4);
    }
  });

  it('exports artifacts that tf.loadLayersModel reads back with the same predictions', async () => {
    const e = await engine({ backend: 'wasm', layers: [...LENET.slice(0, 5), { type: 'dropout', rate: 0.2 }, { type: 'batchNorm' }, ...LENET.slice(5)] });
    await losses(e, data, 0, 3, 32);
    const artifacts = await e.exportArtifacts();
    const dir = mkdtempSync(join(tmpdir(), 'engine-export-'));
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      }));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const bin = readFileSync(join(dir, 'weights.bin'));
      const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }));
      const some = batch(data, 1, 16);
      const theirs = tf.tidy(() => (model.predict(tf.tensor4d(some.x, [16, 28, 28, 1])) as tf.Tensor).dataSync());
      const ours = await e.predict(some.x);
      ours.forEach((v, i) => expect(theirs[i]).toBeCloseTo(v, 5));
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
