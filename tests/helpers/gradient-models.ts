// Small models that between them use every layer type and option the engine has, for the gradient checks, and
// the shared pieces of those checks: real digits, weights away from their initial values, a tolerant comparison.

import { expect } from 'vitest';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { mulberry32 } from '../../src/shared/random.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { initialWeights, type ModelPlan, type ParamSlot } from '../../src/trainer/engine/model.js';

export const GRADIENT_MODELS: Record<string, LayerSpec[]> = {
  // Channel counts that leave the SIMD kernels' 8-channel groups part-filled (3, 19); relu conv + 2×2 pool takes
  // the fused pool/relu/bias gradient on wasm, the final dense has its softmax folded into the loss.
  'conv same and valid, channel tails, fused pool': [
    { type: 'conv2d', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 19, kernelSize: 3, padding: 'valid', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  // The cnn-strong pattern: strided linear convs, BatchNorm in training mode, separate relu, dropout on images and
  // on vectors, BatchNorm after a dense layer, a 3×3 stride-2 pool (not fused), a softmax activation layer last.
  'strided conv, BatchNorm, dropout, softmax activation': [
    { type: 'conv2d', filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'linear' },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'dropout', rate: 0.3 },
    { type: 'conv2d', filters: 9, kernelSize: 3, strides: 2, padding: 'valid', activation: 'linear' },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 3, strides: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 16, activation: 'linear' },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'dropout', rate: 0.4 },
    { type: 'dense', units: 10, activation: 'linear' },
    { type: 'activation', activation: 'softmax' },
  ],
  // A pool straight on the pixels, an even kernel with same padding (padded unevenly), 32 channels (whole SIMD
  // groups), a relu conv + 2×2 pool on an odd size (not fused), a softmax inside the network.
  'even kernel, odd sizes, inner softmax, 32 channels': [
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 32, kernelSize: 4, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 7, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 12, activation: 'softmax' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** `count` real digits, a seeded pick, as 0–1 floats. */
export function someDigits(count: number, seed: number): { x: Float32Array; y: Uint8Array } {
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

/**
 * Keras-initialised weights with biases, gammas, betas and moving statistics moved off their initial values:
 * zero biases and unit gammas would hide a bias/beta or gamma mix-up, and relu patterns need non-zero biases.
 */
export function trainedLookingWeights(plan: ModelPlan, seed: number): Float32Array {
  const w = initialWeights(plan, seed);
  const rng = mulberry32(seed + 1);
  for (const p of plan.params) {
    const kind = p.name.split('/')[1];
    for (let i = p.offset; i < p.offset + p.size; i++) {
      if (kind === 'bias' || kind === 'beta' || kind === 'moving_mean') w[i] = (rng() * 2 - 1) * 0.2;
      if (kind === 'gamma' || kind === 'moving_variance') w[i] = 1 + (rng() * 2 - 1) * 0.3;
    }
  }
  return w;
}

/**
 * Weights for checking an inference path (a BatchNorm fold, an exported graph): BatchNorm statistics far from their
 * initial 0 and 1 and non-zero biases and shifts, so that a wrong fold or a missing term shows.
 */
export function farStatisticsWeights(plan: ModelPlan, seed: number): Float32Array {
  const w = initialWeights(plan, seed);
  const rng = mulberry32(seed);
  for (const p of plan.params) {
    const view = w.subarray(p.offset, p.offset + p.size);
    if (p.name.endsWith('/gamma')) view.forEach((_, i) => (view[i] = 0.5 + rng()));
    if (p.name.endsWith('/beta') || p.name.endsWith('/bias')) view.forEach((_, i) => (view[i] = rng() - 0.5));
    if (p.name.endsWith('/moving_mean')) view.forEach((_, i) => (view[i] = 2 * rng() - 1));
    if (p.name.endsWith('/moving_variance')) view.forEach((_, i) => (view[i] = 0.05 + 3 * rng()));
  }
  return w;
}

/** The bias of a layer that feeds a BatchNorm: its true gradient is exactly zero (BatchNorm subtracts the mean). */
function cancelled(plan: ModelPlan, slot: ParamSlot): ParamSlot | null {
  const layer = plan.layers.find((l) => l.params.includes(slot))!;
  const feedsNorm = slot.name.endsWith('/bias') && plan.layers[layer.index + 1]?.spec.type === 'batchNorm';
  return feedsNorm ? layer.params[0] : null;
}

/**
 * Every trainable slot of `actual` within `rel` of the slot's largest reference value: scaled per slot, not per
 * element, since float32 sums in another order differ absolutely and near-zero elements have no precision of their
 * own. A bias feeding a BatchNorm holds only rounding noise on both sides: it must stay `rel` below its kernel's.
 */
export function expectGradientsClose(plan: ModelPlan, actual: Float32Array, expected: Float32Array, rel: number): void {
  const largest = (a: Float32Array, p: ParamSlot) => a.subarray(p.offset, p.offset + p.size).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const p of plan.params.filter((q) => q.trainable)) {
    const kernel = cancelled(plan, p);
    if (kernel) {
      expect(largest(actual, p), `${p.name} feeds a BatchNorm: its gradient must vanish`).toBeLessThanOrEqual(rel * largest(expected, kernel));
      continue;
    }
    const scale = largest(expected, p);
    expect(scale, `${p.name} has a zero reference gradient: the check would be empty`).toBeGreaterThan(0);
    let worst = 0;
    for (let i = p.offset; i < p.offset + p.size; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst, `${p.name}: worst error ${worst.toExponential(2)} against a largest gradient of ${scale.toExponential(2)}`)
      .toBeLessThanOrEqual(rel * scale);
  }
}
