// Output buffers of the native kernels, reused: a cnn-strong step allocates ~30 arrays of up to 6 MB, and a fresh
// Float32Array is zero-filled by V8 and later collected — a pass over memory and GC pauses for nothing, since every
// native kernel writes its whole output. The backend hands a tensor's array back when tfjs disposes the tensor.

import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

type DataId = Parameters<MathBackendCPU['disposeData']>[0];

/** Below this many values a buffer is cheap to allocate: only larger ones are pooled. */
const POOLED_MIN = 16_384;
/** The most memory kept for reuse; past it, released buffers are left to the GC. */
const POOL_BYTES = 512 * 1024 * 1024;

const free = new Map<number, Float32Array[]>();
const pooled = new WeakSet<Float32Array>();
let kept = 0;

/** A Float32Array of `length` values with arbitrary contents: the caller writes every one. */
export function outputBuffer(length: number): Float32Array {
  if (length < POOLED_MIN) return new Float32Array(length);
  const reused = free.get(length)?.pop();
  if (reused) {
    kept -= reused.byteLength;
    return reused;
  }
  const fresh = new Float32Array(length);
  pooled.add(fresh);
  return fresh;
}

function release(values: Float32Array): void {
  if (kept + values.byteLength > POOL_BYTES) return;
  let list = free.get(values.length);
  if (!list) free.set(values.length, (list = []));
  list.push(values);
  kept += values.byteLength;
}

/** tfjs's cpu backend (tensors are typed arrays in this process) that recycles the native kernels' outputs. */
export class NativeBackend extends MathBackendCPU {
  override disposeData(dataId: DataId, force?: boolean): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted && values instanceof Float32Array && pooled.has(values)) release(values);
    return deleted;
  }

  /** A pooled array is copied on the way out: the caller may keep it after the tensor is disposed and reused. */
  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    const values = super.readSync(dataId);
    return values instanceof Float32Array && pooled.has(values) ? values.slice() : values;
  }
}
