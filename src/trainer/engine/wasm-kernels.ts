// Registers the project's wasm kernels: the missing Conv2DBackpropFilter and faster replacements for the
// backward-pass kernels that dominate CNN training on wasm (each checked against the cpu backend in tests).

import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { BN_GRAD_APPLY, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE, bnGradApply, bnGradSums, bnMoments, bnNormalize } from './wasm-batch-norm.js';
import { conv2DBackpropFilter, conv2DBackpropInput } from './wasm-conv-grads.js';
import { declareKernelLimits } from './kernel-set.js';
import {
  batchMatMul, biasGrad, BIAS_GRAD, maxPoolGrad, POOL_RELU_BIAS_GRAD, poolReluBiasGrad, RELU_BIAS_GRAD, RELU_GRAD, reluBiasGrad, reluGrad,
} from './wasm-misc-kernels.js';

export { BIAS_GRAD, POOL_RELU_BIAS_GRAD, RELU_BIAS_GRAD, RELU_GRAD };

let registered = false;

/** Replaces (or adds) one wasm kernel; `original` is the backend's own implementation when there was one. */
function replace(name: string, make: (original: KernelFunc | undefined) => KernelFunc): void {
  const existing = tf.getKernel(name, 'wasm') as KernelConfig | undefined;
  const original = existing?.kernelFunc;
  // tfjs refuses to register a kernel twice.
  if (existing) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(original) });
}

/** Idempotent; must run after the wasm backend initialised (the compositions call its Conv2D and BatchMatMul). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  declareKernelLimits('wasm', { batchNormChannels: 4 });
  replace('Conv2DBackpropFilter', () => conv2DBackpropFilter as unknown as KernelFunc);
  replace('Conv2DBackpropInput', (original) => (args) => conv2DBackpropInput(args as never, original!));
  replace('MaxPoolGrad', () => maxPoolGrad as unknown as KernelFunc);
  replace('BatchMatMul', (original) => (args) => batchMatMul(args as never, original!));
  replace(RELU_GRAD, () => reluGrad as unknown as KernelFunc);
  replace(BIAS_GRAD, () => biasGrad as unknown as KernelFunc);
  replace(RELU_BIAS_GRAD, () => reluBiasGrad as unknown as KernelFunc);
  replace(POOL_RELU_BIAS_GRAD, () => poolReluBiasGrad as unknown as KernelFunc);
  replace(BN_MOMENTS, () => bnMoments as unknown as KernelFunc);
  replace(BN_NORMALIZE, () => bnNormalize as unknown as KernelFunc);
  replace(BN_GRAD_SUMS, () => bnGradSums as unknown as KernelFunc);
  replace(BN_GRAD_APPLY, () => bnGradApply as unknown as KernelFunc);
}
