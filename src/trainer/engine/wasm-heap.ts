// Helpers for kernels that work directly on the wasm backend's heap: allocation, views, transposes.
// Views must be taken after the last allocation in a kernel: a malloc may grow (and detach) the heap.

import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function view(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A tensor's byte address in the heap (for the SIMD kernels, which work on it in place). */
export function addr(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

export function free(backend: BackendWasm, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}

/**
 * out = src (rank 4, shape `shape`) permuted by `perm`, optionally cropping each source axis to `keep[axis]`.
 * The innermost source axis is walked with a stride so each output row is written sequentially.
 */
export function transpose4(
  src: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  out: Float32Array,
  keep: readonly number[] = shape,
): void {
  const stride = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const [d0, d1, d2, d3] = perm.map((p) => keep[p]);
  const [s0, s1, s2, s3] = perm.map((p) => stride[p]);
  let o = 0;
  for (let a = 0; a < d0; a++) {
    for (let b = 0; b < d1; b++) {
      const ab = a * s0 + b * s1;
      for (let c = 0; c < d2; c++) {
        let i = ab + c * s2;
        for (let d = 0; d < d3; d++, i += s3) out[o++] = src[i];
      }
    }
  }
}

/** out[c × r] = srcᵀ for a row-major r × c matrix, `batch` times. */
export function transpose2(src: Float32Array, batch: number, rows: number, cols: number, out: Float32Array): void {
  const size = rows * cols;
  for (let n = 0; n < batch; n++) {
    const base = n * size;
    for (let r = 0; r < rows; r++) {
      let i = base + r * cols;
      let o = base + r;
      for (let c = 0; c < cols; c++, i++, o += rows) out[o] = src[i];
    }
  }
}
