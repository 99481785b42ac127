// Loads the project's SIMD kernels (src/trainer/wasm, built to kernels.wasm) onto the tfjs wasm backend's own
// memory, once per thread, or onto a memory of their own.

import { readFileSync } from 'node:fs';
import { builtFile } from './built-file.js';
import type { BackendWasm } from './wasm-heap.js';

/** The exports of kernels.wasm; pointers are byte offsets in the backend's heap. */
export interface SimdKernels {
  zero(dst: number, bytes: number): void;
  pad(src: number, dst: number, n: number, h: number, w: number, c: number, hp: number, wp: number, cp: number, top: number, left: number): void;
  crop(src: number, dst: number, n: number, h: number, w: number, c: number, hp: number, wp: number, cp: number, top: number, left: number): void;
  filterGrad(
    xp: number, dz: number, taps: number, acc: number, n: number, ho: number, wo: number, c: number, hp: number, wp: number, co8: number,
    sh: number, sw: number, k6: number,
  ): void;
  inputGrad(
    dz: number, wt: number, dxp: number, n: number, ho: number, wo: number, co: number, c: number, hp: number, wp: number, sh: number, sw: number,
    kh: number, slices: number,
  ): void;
  poolReluBiasGrad(y: number, dy: number, dz: number, db: number, rows: number, wo: number, c: number): void;
  matMulABt(a: number, b: number, c: number, rows: number, cols: number, k: number): void;
  matMulAtB(a: number, b: number, c: number, inner: number, rows: number, cols: number): void;
  bnMoments(x: number, rows: number, c: number, out: number, scratch: number): void;
  bnNormalize(x: number, xhat: number, y: number, rows: number, c: number, mean: number, invStd: number, gamma: number, beta: number, relu: boolean): void;
  bnGradSums(dy: number, xhat: number, y: number, rows: number, c: number, masked: boolean, out: number, scratch: number): void;
  bnGradApply(
    dy: number, xhat: number, y: number, dx: number, rows: number, c: number, masked: boolean, meanG: number, meanGX: number, scale: number,
  ): void;
  channelSums(x: number, rows: number, c: number, out: number, scratch: number): void;
  adam(w: number, g: number, g2: number, m: number, v: number, from: number, to: number, beta1: number, beta2: number, step: number, eps: number): void;
}

// The ES2023 lib has no WebAssembly types (they come with lib.dom): the two constructors used here.
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
};

let compiled: object | undefined;
const instances = new WeakMap<BackendWasm, SimdKernels>();

function instantiate(memory: unknown): SimdKernels {
  compiled ??= new WebAssembly.Module(readFileSync(builtFile('kernels.wasm', 'Kernel module')));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
}

/** The kernels bound to this backend's heap (instantiated on first use). */
export function simdKernels(backend: BackendWasm): SimdKernels {
  let kernels = instances.get(backend);
  if (!kernels) {
    kernels = instantiate((backend.wasm as unknown as { asm: { memory: unknown } }).asm.memory);
    instances.set(backend, kernels);
  }
  return kernels;
}

/** The kernels on a fresh memory of their own of `bytes` bytes (it never grows: views on it stay valid). */
export function privateKernels(bytes: number): { kernels: SimdKernels; buffer: ArrayBuffer } {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  return { kernels: instantiate(memory), buffer: memory.buffer };
}
