// The BatchNorm statistics options' arithmetic against a direct computation, on every backend that loads: the batch
// statistics a step sees are recomputed here with plain tf ops from the weights before the step, then the slots the
// engine keeps must equal Keras's moving average, the debiased average's closed form, or the chosen batches'
// population mean and variance.

import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnistDigits, mulberry32 } from '../../src/core/datasets/mnist-digits.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { BN_SAMPLE_IMAGES, bnSampleOrder } from '../../src/trainer/batches.js';
import { availableBackends, createEngine, planModel, type BackendName, type Engine } from '../../src/trainer/engine/index.js';
import { BN_EPSILON, BN_MOMENTUM } from '../../src/trainer/engine/model.js';
import type { BnStats } from '../../src/shared/hyperparams.js';

/** Conv → BatchNorm → ReLU → pool → dense → BatchNorm: the second layer's input depends on the first's batch statistics. */
const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.5 },
  { type: 'dense', units: 6, activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'dense', units: 10, activation: 'softmax' },
];
const plan = planModel(LAYERS);
const slot = (name: string) => plan.params.find((p) => p.name.endsWith(name))!;
const [bn1, bn2] = plan.layers.filter((l) => l.spec.type === 'batchNorm').map((l) => l.params);

function digits(count: number): { x: Float32Array; y: Uint8Array } {
  const d = loadMnistDigits();
  const rng = mulberry32(11);
  const x = new Float32Array(count * 784);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(rng() * d.count);
    for (let p = 0; p < 784; p++) x[i * 784 + p] = d.pixels[j * 784 + p] / 255;
    y[i] = d.labels[j];
  }
  return { x, y };
}

const weightsOf = async (e: Engine) => new Float32Array((await e.saveState()).weights.slice().buffer);
const get = (w: Float32Array, s: { offset: number; size: number }) => Array.from(w.subarray(s.offset, s.offset + s.size));
const mean0 = (t: tf.Tensor) => tf.moments(t, t.shape.slice(0, -1).map((_, i) => i));

/**
 * Both BatchNorm layers' inputs for one batch in training mode with dropout off, from weights `w`, in plain tf ops:
 * per layer, the values as a [values, channels] matrix.
 */
function bnInputs(w: Float32Array, x: Float32Array): [number[][], number[][]] {
  return tf.tidy(() => {
    const t = (name: string) => {
      const s = slot(name);
      return tf.tensor(w.subarray(s.offset, s.offset + s.size), s.shape);
    };
    const n = x.length / 784;
    const conv = tf.add(tf.conv2d(tf.tensor4d(x, [n, 28, 28, 1]), t('conv2d/kernel') as tf.Tensor4D, 2, 'same'), t('conv2d/bias'));
    const { mean, variance } = mean0(conv);
    const norm = tf.add(tf.mul(tf.div(tf.sub(conv, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), t('batch_normalization/gamma')), t('batch_normalization/beta'));
    const pooled = tf.maxPool(tf.relu(norm) as tf.Tensor4D, 2, 2, 'valid');
    const dense = tf.add(tf.matMul(tf.reshape(pooled, [n, -1]), t('dense/kernel') as tf.Tensor2D), t('dense/bias'));
    return [tf.reshape(conv, [-1, 3]).arraySync() as number[][], dense.arraySync() as number[][]];
  });
}

/** Per-channel mean and biased variance of rows of values, in float64. */
function moments(rows: number[][]): { mean: number[]; variance: number[] } {
  const c = rows[0].length;
  const mean = Array.from({ length: c }, (_, k) => rows.reduce((a, r) => a + r[k], 0) / rows.length);
  const variance = Array.from({ length: c }, (_, k) => rows.reduce((a, r) => a + (r[k] - mean[k]) ** 2, 0) / rows.length);
  return { mean, variance };
}

const expectClose = (actual: number[], expected: number[], digits = 4) =>
  actual.forEach((v, i) => expect(v, `channel ${i}`).toBeCloseTo(expected[i], digits));

const backends = (await availableBackends()).filter((b) => b.available).map((b) => b.name);
const engines: Engine[] = [];
afterAll(async () => Promise.all(engines.map((e) => e.dispose())));

async function engine(backend: BackendName, batchNormStats: BnStats): Promise<Engine> {
  const e = await createEngine({ layers: LAYERS, optimizer: { name: 'adam', learningRate: 1e-2 }, seed: 5, workers: 1, backend, batchNormStats });
  engines.push(e);
  return e;
}

const data = digits(96);
const SIZE = 16;
const batchOf = (k: number) => ({ x: data.x.subarray(k * SIZE * 784, (k + 1) * SIZE * 784), y: data.y.subarray(k * SIZE, (k + 1) * SIZE) });

describe.each(backends)('BatchNorm statistics on %s', (backend) => {
  /** Trains `steps` batches; returns the first BatchNorm layer's batch statistics at each step, computed directly. */
  async function trainAndObserve(e: Engine, steps: number) {
    const seen: { mean: number[]; variance: number[] }[] = [];
    for (let k = 0; k < steps; k++) {
      const b = batchOf(k);
      seen.push(moments(bnInputs(await weightsOf(e), b.x)[0]));
      await e.trainBatch(b.x, b.y);
    }
    return seen;
  }

  it('keras: moving = 0.99ᵗ · start + Σ 0.01 · 0.99^(t−i) · batchᵢ, from mean 0 and variance 1', async () => {
    const e = await engine(backend, 'keras');
    const seen = await trainAndObserve(e, 5);
    const w = await weightsOf(e);
    const closed = (start: number, xs: number[]) =>
      BN_MOMENTUM ** xs.length * start + xs.reduce((a, x, i) => a + (1 - BN_MOMENTUM) * BN_MOMENTUM ** (xs.length - 1 - i) * x, 0);
    expectClose(get(w, bn1[2]), [0, 1, 2].map((k) => closed(0, seen.map((s) => s.mean[k]))), 5);
    expectClose(get(w, bn1[3]), [0, 1, 2].map((k) => closed(1, seen.map((s) => s.variance[k]))), 5);
  });

  it('debiased: after t steps the slots hold Σ 0.99^(t−i) · batchᵢ / Σ 0.99^(t−i), and after one step the batch itself', async () => {
    const e = await engine(backend, 'debiased');
    const seen = await trainAndObserve(e, 5);
    const closed = (xs: number[]) => {
      const weights = xs.map((_, i) => (1 - BN_MOMENTUM) * BN_MOMENTUM ** (xs.length - 1 - i));
      return xs.reduce((a, x, i) => a + weights[i] * x, 0) / (1 - BN_MOMENTUM ** xs.length);
    };
    const w = await weightsOf(e);
    expectClose(get(w, bn1[2]), [0, 1, 2].map((k) => closed(seen.map((s) => s.mean[k]))));
    expectClose(get(w, bn1[3]), [0, 1, 2].map((k) => closed(seen.map((s) => s.variance[k]))));
    // One step: no trace of the start values (Keras's variance of 1 would be 99% of it).
    const one = await engine(backend, 'debiased');
    const first = (await trainAndObserve(one, 1))[0];
    const w1 = await weightsOf(one);
    expectClose(get(w1, bn1[2]), first.mean, 5);
    expectClose(get(w1, bn1[3]), first.variance, 5);
  });

  it('recomputed: the population mean and variance of the chosen batches, each batch in training mode; other weights untouched', async () => {
    const e = await engine(backend, 'recomputed');
    await trainAndObserve(e, 3);
    const before = await weightsOf(e);
    const sample = data.x.subarray(0, 48 * 784);
    await e.recomputeBatchNormStats(sample, SIZE);
    const after = await weightsOf(e);
    // Each layer's values over the three batches of 16, every batch normalised by its own statistics as in training.
    const rows: [number[][], number[][]] = [[], []];
    for (let k = 0; k < 3; k++) {
      const [a, b] = bnInputs(before, sample.subarray(k * SIZE * 784, (k + 1) * SIZE * 784));
      rows[0].push(...a);
      rows[1].push(...b);
    }
    const [m1, m2] = rows.map(moments);
    expectClose(get(after, bn1[2]), m1.mean);
    expectClose(get(after, bn1[3]), m1.variance);
    expectClose(get(after, bn2[2]), m2.mean, 3);
    expectClose(get(after, bn2[3]), m2.variance, 3);
    const stats = new Set([bn1[2], bn1[3], bn2[2], bn2[3]].flatMap((s) => Array.from({ length: s.size }, (_, i) => s.offset + i)));
    before.forEach((v, i) => {
      if (!stats.has(i)) expect(after[i]).toBe(v);
    });
    // The tfjs export (and the ONNX one, built from the same stored weights) carries the recomputed statistics.
    const artifacts = await e.exportArtifacts();
    let offset = 0;
    const exported = new Map<string, number[]>();
    for (const spec of artifacts.weightSpecs) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      exported.set(spec.name, Array.from(new Float32Array(artifacts.weightData, offset * 4, size)));
      offset += size;
    }
    for (const s of [bn1[2], bn1[3], bn2[2], bn2[3]]) expect(exported.get(s.name)).toEqual(get(after, s));
    // Validation reads what was recomputed: predictions follow the new statistics.
    const again = await engine(backend, 'recomputed');
    await again.loadState({ ...(await e.saveState()) });
    expect(await again.predict(sample.subarray(0, 784 * 4))).toEqual(await e.predict(sample.subarray(0, 784 * 4)));
  });
});

describe('the recomputed statistics sample', () => {
  const indices = Int32Array.from({ length: 5000 }, (_, i) => i * 2);

  it('is 2,048 training images rounded up to whole batches, drawn from the run seed alone', () => {
    const a = bnSampleOrder(indices, 64, 7);
    expect(a.length).toBe(BN_SAMPLE_IMAGES);
    expect(bnSampleOrder(indices, 100, 7).length).toBe(2100);
    expect(bnSampleOrder(indices, 64, 7)).toEqual(a);
    expect(bnSampleOrder(indices, 64, 8)).not.toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    for (const i of a) expect(i % 2).toBe(0);
  });

  it('is the whole training set when that is smaller', () => {
    expect(Array.from(bnSampleOrder(indices.slice(0, 300), 64, 7)).sort((p, q) => p - q)).toEqual(Array.from(indices.slice(0, 300)));
  });
});
