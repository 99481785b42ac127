// What the active backend's kernels can do beyond tfjs's own. The passes ask these questions, never a backend's
// name: the wasm set and the native set each register the project's custom kernels (names below) and declare
// their limits here when they load.

import * as tf from '@tensorflow/tfjs';

// The project's own kernels (no tfjs op): the passes call them through tf.engine().runKernel where the active set
// has them. Their inputs and outputs are documented where each set implements them (wasm-*.ts, native/kernels.ts).
export const RELU_GRAD = 'WorkbenchReluGrad';
export const BIAS_GRAD = 'WorkbenchBiasGrad';
export const RELU_BIAS_GRAD = 'WorkbenchReluBiasGrad';
export const POOL_RELU_BIAS_GRAD = 'WorkbenchPoolReluBiasGrad';
export const BN_MOMENTS = 'WorkbenchBnMoments';
export const BN_NORMALIZE = 'WorkbenchBnNormalize';
export const BN_GRAD_SUMS = 'WorkbenchBnGradSums';
export const BN_GRAD_APPLY = 'WorkbenchBnGradApply';
/** Inverted dropout with the engine's own mask stream: inputs {x}, attrs DropoutAttrs, outputs [y, mask]. */
export const DROPOUT = 'WorkbenchDropout';

export interface DropoutAttrs {
  seed: number;
  step: number;
  layer: number;
  first: number;
  rate: number;
}

export interface KernelLimits {
  /** BatchNorm's fused training kernels take channel counts that are multiples of this. */
  batchNormChannels: number;
}

const limits = new Map<string, KernelLimits>();

/** Called by a kernel set when it registers its kernels for `backend`. */
export function declareKernelLimits(backend: string, value: KernelLimits): void {
  limits.set(backend, value);
}

/** Whether the active backend has the kernel `name` (a custom one only where a kernel set registered it). */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Whether training-mode BatchNorm over `channels` channels runs as fused kernels on the active backend. */
export function fusesBatchNorm(channels: number, kernel: string): boolean {
  const l = limits.get(tf.getBackend());
  return l !== undefined && hasKernel(kernel) && channels % l.batchNormChannels === 0;
}
