// BatchNorm's training-mode passes on the wasm backend as the project's SIMD kernels (src/trainer/wasm), each one
// pass over memory: moments; normalise + scale/shift (+ the ReLU that follows in conv blocks); the gradient's two
// channel sums; dx. Composed from tf ops they took about ten passes each way and ~15% of a cnn-strong step.
// Channel counts must be multiples of four (lanesFit); other shapes keep the tf-op path.

import type { TensorInfo } from '@tensorflow/tfjs';
import { addr, alloc, free, type BackendWasm } from './wasm-heap.js';
import { simdKernels } from './wasm-simd.js';

export { BN_GRAD_APPLY, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE } from './kernel-set.js';

interface KernelArgs<A> {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: A;
}

/** Whether the kernels take a tensor with `channels` channels (innermost axis). */
export function lanesFit(channels: number): boolean {
  return channels % 4 === 0;
}

const shapeOf = (t: TensorInfo) => ({ c: t.shape[t.shape.length - 1], rows: t.shape.reduce((a, b) => a * b, 1) / t.shape[t.shape.length - 1] });

/** [4c] float32 holding 2c float64: per-channel means, then sums of squared deviations. */
export function bnMoments({ inputs, backend }: KernelArgs<Record<string, never>>): TensorInfo {
  const { x } = inputs;
  const { c, rows } = shapeOf(x);
  const out = alloc(backend, [4 * c]);
  const scratch = alloc(backend, [2 * c]);
  simdKernels(backend).bnMoments(addr(backend, x), rows, c, addr(backend, out), addr(backend, scratch));
  free(backend, scratch);
  return out;
}

/** [xhat, y]: y = xhat · gamma + beta, ReLU'd when attrs.relu. */
export function bnNormalize({ inputs, backend, attrs }: KernelArgs<{ relu: boolean }>): TensorInfo[] {
  const { x, mean, invStd, gamma, beta } = inputs;
  const { c, rows } = shapeOf(x);
  const xhat = alloc(backend, x.shape);
  const y = alloc(backend, x.shape);
  simdKernels(backend).bnNormalize(addr(backend, x), addr(backend, xhat), addr(backend, y), rows, c,
    addr(backend, mean), addr(backend, invStd), addr(backend, gamma), addr(backend, beta), attrs.relu);
  return [xhat, y];
}

/** [4c] float32 holding 2c float64: Σ g and Σ g · xhat per channel, g = dy (masked by y > 0 when attrs.masked). */
export function bnGradSums({ inputs, backend, attrs }: KernelArgs<{ masked: boolean }>): TensorInfo {
  const { dy, xhat, y } = inputs;
  const { c, rows } = shapeOf(dy);
  const out = alloc(backend, [4 * c]);
  const scratch = alloc(backend, [2 * c]);
  simdKernels(backend).bnGradSums(addr(backend, dy), addr(backend, xhat), addr(backend, y), rows, c, attrs.masked, addr(backend, out), addr(backend, scratch));
  free(backend, scratch);
  return out;
}

/** dx = (g − meanG − xhat · meanGX) · scale. */
export function bnGradApply({ inputs, backend, attrs }: KernelArgs<{ masked: boolean }>): TensorInfo {
  const { dy, xhat, y, meanG, meanGX, scale } = inputs;
  const { c, rows } = shapeOf(dy);
  const dx = alloc(backend, dy.shape);
  simdKernels(backend).bnGradApply(addr(backend, dy), addr(backend, xhat), addr(backend, y), addr(backend, dx), rows, c, attrs.masked,
    addr(backend, meanG), addr(backend, meanGX), addr(backend, scale));
  return dx;
}
