// The engine's training semantics against Keras' (the recipe the presets come from), value by value: initial
// weights, Adam's update and epsilon, BatchNorm's moving statistics. (BatchNorm's epsilon 1e-3 is pinned by the
// gradient checks, whose reference spells out Keras' value.)
// Adam runs as a wasm kernel: run `npm run build:node` first (npm test does).

import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { createEngine, planModel } from '../../src/trainer/engine/index.js';
import { initialWeights } from '../../src/trainer/engine/model.js';
import { Optimizer } from '../../src/trainer/engine/optimizer.js';
import { someDigits } from '../helpers/gradient-models.js';
import { availableBackends } from '../../src/trainer/engine/backend.js';
import type { BackendName } from '../../src/trainer/engine/types.js';

const MODEL: LayerSpec[] = [
  { type: 'conv2d', filters: 24, kernelSize: 5, padding: 'same', activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 4 },
  { type: 'flatten' },
  { type: 'dense', units: 10, activation: 'softmax' },
];

describe('initial weights', () => {
  it('are Keras defaults: glorot_uniform kernels, zero biases and betas, unit gammas, moving mean 0 and variance 1', () => {
    const plan = planModel(MODEL);
    const w = initialWeights(plan, 1);
    const slot = (name: string) => {
      const p = plan.params.find((q) => q.name === name)!;
      return w.subarray(p.offset, p.offset + p.size);
    };
    // glorot_uniform: U(±√(6 / (fan_in + fan_out))), fans counting the receptive field (5·5·1 in, 5·5·24 out).
    for (const [name, fanIn, fanOut] of [['conv2d/kernel', 25, 600], ['dense/kernel', 7 * 7 * 24, 10]] as const) {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = slot(name);
      const max = values.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(max).toBeLessThanOrEqual(limit);
      expect(max).toBeGreaterThan(0.98 * limit);
      // A uniform distribution's variance, limit² / 3, within four standard errors (√(0.8 / n) relative).
      const variance = values.reduce((a, v) => a + v * v, 0) / values.length;
      expect(Math.abs(variance / (limit * limit / 3) - 1)).toBeLessThan(4 * Math.sqrt(0.8 / values.length));
    }
    for (const name of ['conv2d/bias', 'dense/bias', 'batch_normalization/beta', 'batch_normalization/moving_mean']) {
      expect(slot(name).every((v) => v === 0), name).toBe(true);
    }
    for (const name of ['batch_normalization/gamma', 'batch_normalization/moving_variance']) {
      expect(slot(name).every((v) => v === 1), name).toBe(true);
    }
  });
});

describe('Adam', () => {
  it('follows Keras: lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + 1e-7), epsilon outside the bias correction', () => {
    const plan = planModel([{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }]);
    const opt = new Optimizer({ name: 'adam', learningRate: 1e-3 }, plan);
    const w = new Float32Array(plan.size).map((_, i) => Math.sin(i));
    // Gradients from 1e-9 to 1: the small ones are where epsilon (and where it is added) decides the step.
    const grads = (t: number) => new Float32Array(plan.size).map((_, i) => Math.cos(i * t) * 10 ** -(i % 10));
    const expected = Float64Array.from(w);
    const m = new Float64Array(plan.size);
    const v = new Float64Array(plan.size);
    for (let t = 1; t <= 3; t++) {
      const g = grads(t);
      opt.apply(w, g);
      const step = (1e-3 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (let i = 0; i < plan.size; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        expected[i] -= (step * m[i]) / (Math.sqrt(v[i]) + 1e-7);
      }
    }
    let worst = 0;
    for (let i = 0; i < plan.size; i++) worst = Math.max(worst, Math.abs(w[i] - expected[i]) / 1e-3);
    // Float32 arithmetic: a few ulps of each step (≤ lr) and of w (≤ 1).
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('BatchNorm', () => {
  it('moves its statistics by 1 − 0.99 towards the batch mean and the biased (÷ m) batch variance', async () => {
    // After a dense layer m is the batch size (4): ÷ m and ÷ (m − 1) differ by a third.
    const layers: LayerSpec[] = [
      { type: 'flatten' },
      { type: 'dense', units: 8, activation: 'linear' },
      { type: 'batchNorm' },
      { type: 'dense', units: 10, activation: 'softmax' },
    ];
    const plan = planModel(layers);
    const e = await createEngine({ layers, optimizer: { name: 'sgd', learningRate: 1e-3 }, seed: 2, backend: 'cpu', workers: 1 });
    try {
      const { x, y } = someDigits(4, 3);
      await e.trainBatch(x, y);
      const w = new Float32Array((await e.saveState()).weights.buffer);
      // The dense layer's outputs by hand in float64, from the initial weights (zero bias).
      const w0 = initialWeights(plan, 2);
      const kernel = plan.params.find((p) => p.name === 'dense/kernel')!;
      const z = Array.from({ length: 4 }, (_, n) => Array.from({ length: 8 }, (_, o) => {
        let sum = 0;
        for (let i = 0; i < 784; i++) sum += x[n * 784 + i] * w0[kernel.offset + i * 8 + o];
        return sum;
      }));
      const mm = plan.params.find((p) => p.name === 'batch_normalization/moving_mean')!;
      const mv = plan.params.find((p) => p.name === 'batch_normalization/moving_variance')!;
      for (let o = 0; o < 8; o++) {
        const mean = z.reduce((a, r) => a + r[o], 0) / 4;
        const variance = z.reduce((a, r) => a + (r[o] - mean) ** 2, 0) / 4;
        expect(w[mm.offset + o]).toBeCloseTo(0.01 * mean, 6);
        expect(w[mv.offset + o]).toBeCloseTo(0.99 + 0.01 * variance, 6);
      }
    } finally {
      await e.dispose();
    }
  });
});

describe('BatchNorm after a convolution, on every backend and worker count', () => {
  // wasm trains BatchNorm with its own SIMD kernels (moments, normalise + ReLU) when the channels fill its lanes;
  // the gradient checks pin the gradients, this pins the moving statistics those kernels feed, against the cpu
  // backend's tf-op path, and across 1 and 2 workers (the whole batch's statistics, exchanged).
  const layers: LayerSpec[] = [
    { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'batchNorm' },
    { type: 'conv2d', filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' },
    { type: 'batchNorm' },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ];

  it('moves the statistics the same way as the cpu backend', async () => {
    const here = (await availableBackends()).filter((b) => b.available).map((b) => b.name);
    const plan = planModel(layers);
    const { x, y } = someDigits(8, 5);
    const trained = async (backend: BackendName, workers: number): Promise<Float32Array> => {
      const e = await createEngine({ layers, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 2, backend, workers });
      try {
        for (let i = 0; i < 2; i++) await e.trainBatch(x, y);
        return new Float32Array((await e.saveState()).weights.buffer);
      } finally {
        await e.dispose();
      }
    };
    const reference = await trained('cpu', 1);
    const stats = plan.params.filter((p) => p.name.includes('moving_'));
    expect(stats).toHaveLength(4);
    for (const [backend, workers] of here.filter((b) => b !== 'cpu').flatMap((b) => [[b, 1], [b, 2]] as const)) {
      const w = await trained(backend, workers);
      for (const p of stats) {
        for (let i = p.offset; i < p.offset + p.size; i++) expect(w[i], `${p.name} on ${backend} × ${workers}`).toBeCloseTo(reference[i], 5);
      }
    }
  });
});
