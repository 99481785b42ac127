// Registers the 'native' tfjs backend: the cpu backend's storage and kernels, the addon's kernels over them.

import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { KernelInfo } from '../../../shared/trainer-protocol.js';
import { declareKernelLimits } from '../kernel-set.js';
import { nativeAddon, type NativeInfo } from './addon.js';
import { NATIVE_KERNELS } from './kernels.js';
import { NativeBackend } from './buffers.js';

export const NATIVE = 'native';
let registered: NativeInfo | undefined;

/** Idempotent; throws (with the addon's reason) when the native kernels cannot load here. */
export function registerNativeBackend(): NativeInfo {
  if (registered) return registered;
  const addon = nativeAddon();
  // Every cpu kernel first, so any op the native set does not replace still runs.
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!NATIVE_KERNELS[config.kernelName]) tf.registerKernel({ ...config, backendName: NATIVE });
  }
  for (const [name, kernel] of Object.entries(NATIVE_KERNELS)) {
    const fallback = tf.getKernel(name, 'cpu')?.kernelFunc as KernelFunc | undefined;
    const kernelFunc: KernelFunc = (args) => {
      const result = kernel(args as never, addon);
      if (result) return result as TensorInfo | TensorInfo[];
      if (!fallback) throw new Error(`the native ${name} kernel cannot take these inputs`);
      return fallback(args);
    };
    tf.registerKernel({ kernelName: name, backendName: NATIVE, kernelFunc });
  }
  tf.registerBackend(NATIVE, () => {
    const backend = new NativeBackend();
    // The cpu backend's one-off "install tfjs-node" hint does not apply to this backend.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, 0);
  declareKernelLimits(NATIVE, { batchNormChannels: 1 });
  registered = addon.info();
  return registered;
}

/** The native kernels' threads in this thread's calls (oneDNN's OpenMP team); one budget per process. */
export function setNativeThreads(threads: number): void {
  nativeAddon().setThreads(threads);
}

/** The library, version and instruction set of the native kernels here (threads: this thread's default). */
export function nativeInfo(): KernelInfo {
  const { version, isa, threads } = registerNativeBackend();
  return { library: 'oneDNN', version, isa, threads };
}
