// BatchNorm's forward and backward passes. In training every replica normalises with the statistics of the whole
// batch, as Keras does on one device: replicas exchange per-channel partial sums at each BatchNorm layer, both
// ways (moments forward; sums of dy and dy·x̂ backward), and pool them in a fixed order so all agree bit for bit.

import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, type PlannedLayer } from './model.js';
import { BN_GRAD_APPLY, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE, fusesBatchNorm } from './kernel-set.js';

/**
 * Hands this replica's partial sums to the others and returns every replica's, in replica order (this one's
 * included). All replicas of a batch call it at the same layers with arrays of the same length.
 */
export type BatchSync = (local: Float64Array) => Float64Array[];

/** One replica alone: nothing to exchange. */
export const alone: BatchSync = (local) => [local];

/** The whole batch's per-channel mean and biased variance from each part's [count, means…, squared deviations…]. */
export function poolMoments(parts: Float64Array[], c: number): { count: number; mean: Float64Array; variance: Float64Array } {
  const count = parts.reduce((a, p) => a + p[0], 0);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (const p of parts) for (let k = 0; k < c; k++) mean[k] += (p[0] * p[1 + k]) / count;
  // Chan et al.'s parallel combination: exact, unlike E[x²] − E[x]², which cancels when |mean| ≫ std.
  for (const p of parts) {
    for (let k = 0; k < c; k++) variance[k] += p[1 + c + k] + p[0] * (p[1 + k] - mean[k]) ** 2;
  }
  for (let k = 0; k < c; k++) variance[k] /= count;
  return { count, mean, variance };
}

/** Element-wise sum of the parts, in order. */
export function sumParts(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts[0].length);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] += p[i];
  return out;
}

export interface NormCache {
  xhat: tf.Tensor;
  invStd: tf.Tensor;
  /** Images × positions over the whole batch (all replicas): the divisor of the batch means. */
  count: number;
}

/** Per channel over every axis but the last. */
const axesOf = (t: tf.Tensor) => t.shape.slice(0, -1).map((_, i) => i);

/** Whether training-mode BatchNorm over `channels` channels runs as the active kernel set's fused kernels. */
export function fusedBatchNorm(channels: number): boolean {
  return fusesBatchNorm(channels, BN_MOMENTS);
}

/** Float64 values a wasm kernel returned in a float32 tensor. */
function float64Of(t: tf.Tensor): Float64Array {
  return new Float64Array((t.dataSync() as Float32Array).slice().buffer);
}

/**
 * Training mode: normalises `h` with the whole batch's moments; `stats` receives them (mean then variance).
 * Returns the normalisation and the layer's output xhat · gamma + beta, with the following ReLU applied when
 * `relu` (fused kernels only: callers check fusedBatchNorm first).
 */
export function normaliseTrain(
  h: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, sync: BatchSync, stats: Float32Array[], relu = false,
): { norm: NormCache; output: tf.Tensor } {
  const c = h.shape[h.shape.length - 1];
  const fused = fusedBatchNorm(c);
  const n = h.size / c;
  const local = new Float64Array(1 + 2 * c);
  local[0] = n;
  if (fused) {
    local.set(float64Of(tf.engine().runKernel(BN_MOMENTS, { x: h }, {}) as tf.Tensor), 1);
  } else {
    const { mean, variance } = tf.moments(h, axesOf(h));
    const [m, v] = [mean.dataSync(), variance.dataSync()];
    for (let k = 0; k < c; k++) [local[1 + k], local[1 + c + k]] = [m[k], v[k] * n];
  }
  const pooled = poolMoments(sync(local), c);
  stats.push(Float32Array.from([...pooled.mean, ...pooled.variance]));
  const invStd = tf.rsqrt(tf.add(tf.tensor1d(Float32Array.from(pooled.variance)), BN_EPSILON));
  const mean = tf.tensor1d(Float32Array.from(pooled.mean));
  if (fused) {
    const [xhat, output] = tf.engine().runKernel(BN_NORMALIZE, { x: h, mean, invStd, gamma, beta }, { relu } as never) as tf.Tensor[];
    return { norm: { xhat, invStd, count: pooled.count }, output };
  }
  if (relu) throw new Error('normaliseTrain: a fused ReLU needs the fused BatchNorm kernels');
  const xhat = tf.mul(tf.sub(h, mean), invStd);
  return { norm: { xhat, invStd, count: pooled.count }, output: tf.add(tf.mul(xhat, gamma), beta) };
}

export function normaliseInfer(h: tf.Tensor, movingMean: tf.Tensor, movingVar: tf.Tensor): NormCache {
  const invStd = tf.rsqrt(tf.add(movingVar, BN_EPSILON));
  return { xhat: tf.mul(tf.sub(h, movingMean), invStd), invStd, count: 0 };
}

/**
 * dx of a BatchNorm layer; its gamma and beta gradients (this replica's share) go to `grads` when given.
 * `reluOutput`: the output of a ReLU fused into the layer's forward pass (see normaliseTrain), whose gradient
 * mask is applied to `dy` here.
 */
export function batchNormBackward(
  layer: PlannedLayer, gamma: tf.Tensor, cache: NormCache, dy: tf.Tensor, train: boolean, sync: BatchSync,
  grads: Map<string, tf.Tensor> | null, reluOutput: tf.Tensor | null = null,
): tf.Tensor {
  const c = dy.shape[dy.shape.length - 1];
  if (train && fusedBatchNorm(c)) return fusedBackward(layer, gamma, cache, dy, sync, grads, reluOutput);
  if (reluOutput) throw new Error('batchNormBackward: a fused ReLU needs the fused BatchNorm kernels');
  const axes = axesOf(dy);
  const dbeta = tf.sum(dy, axes);
  const dgamma = tf.sum(tf.mul(dy, cache.xhat), axes);
  if (grads) {
    grads.set(layer.params[0].name, dgamma);
    grads.set(layer.params[1].name, dbeta);
  }
  const scale = tf.mul(gamma, cache.invStd);
  if (!train) return tf.mul(dy, scale);
  // Batch statistics depend on every image of the batch: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), the
  // means over the whole batch, so over all replicas.
  const local = new Float64Array(2 * c);
  local.set(dbeta.dataSync());
  local.set(dgamma.dataSync(), c);
  const sums = sumParts(sync(local));
  const meanDy = tf.tensor1d(Float32Array.from(sums.subarray(0, c), (s) => s / cache.count));
  const meanDyXhat = tf.tensor1d(Float32Array.from(sums.subarray(c), (s) => s / cache.count));
  return tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(cache.xhat, meanDyXhat)), scale);
}

/** batchNormBackward in training mode on the fused kernels: two passes over dy. */
function fusedBackward(
  layer: PlannedLayer, gamma: tf.Tensor, cache: NormCache, dy: tf.Tensor, sync: BatchSync, grads: Map<string, tf.Tensor> | null,
  reluOutput: tf.Tensor | null,
): tf.Tensor {
  const c = dy.shape[dy.shape.length - 1];
  const masked = reluOutput !== null;
  const y = reluOutput ?? dy;
  const local = float64Of(tf.engine().runKernel(BN_GRAD_SUMS, { dy, xhat: cache.xhat, y }, { masked } as never) as tf.Tensor);
  if (grads) {
    grads.set(layer.params[0].name, tf.tensor1d(Float32Array.from(local.subarray(c))));
    grads.set(layer.params[1].name, tf.tensor1d(Float32Array.from(local.subarray(0, c))));
  }
  const sums = sumParts(sync(local));
  const meanG = tf.tensor1d(Float32Array.from(sums.subarray(0, c), (s) => s / cache.count));
  const meanGX = tf.tensor1d(Float32Array.from(sums.subarray(c), (s) => s / cache.count));
  const scale = tf.mul(gamma, cache.invStd);
  return tf.engine().runKernel(BN_GRAD_APPLY, { dy, xhat: cache.xhat, y, meanG, meanGX, scale }, { masked } as never) as tf.Tensor;
}
