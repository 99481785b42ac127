// Loads the native kernel set (native/, a Node-API addon on oneDNN) once per thread, lazily. A load failure is a
// value with one line saying why (not built, turned off, no AVX2, the shared library missing), never a crash: the
// engine then trains on the wasm kernels and Settings shows the reason.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtFile } from '../built-file.js';

export interface NativeInfo {
  /** oneDNN's version, e.g. "2.6.3". */
  version: string;
  /** The instruction set oneDNN's kernels run with here, e.g. "AVX2" or "AVX-512-BF16" (capped by ONEDNN_MAX_CPU_ISA). */
  isa: string;
  avx2: boolean;
  threads: number;
}

type F32 = Float32Array;
type ConvDims = number[];
type PoolDims = number[];

/** The addon's functions (native/src/addon.cc). Sizes are checked there: a wrong one throws. */
export interface NativeAddon {
  convForward(x: F32, w: F32, bias: F32 | null, y: F32, dims: ConvDims, relu: boolean): void;
  convBackwardData(dy: F32, w: F32, dx: F32, dims: ConvDims): void;
  convBackwardWeights(x: F32, dy: F32, dw: F32, dims: ConvDims): void;
  convImpl(dims: ConvDims): string;
  matmul(transA: boolean, transB: boolean, m: number, n: number, k: number, a: F32, b: F32, c: F32): void;
  biasAct(y: F32, bias: F32 | null, rows: number, c: number, relu: boolean): void;
  bnMoments(x: F32, rows: number, c: number, out: Float64Array): void;
  bnNormalize(x: F32, xhat: F32, y: F32, rows: number, c: number, mean: F32, invStd: F32, gamma: F32, beta: F32, relu: boolean): void;
  bnGradSums(dy: F32, xhat: F32, y: F32 | null, rows: number, c: number, out: Float64Array): void;
  bnGradApply(dy: F32, xhat: F32, y: F32 | null, dx: F32, rows: number, c: number, meanG: F32, meanGX: F32, scale: F32): void;
  reluGrad(dy: F32, y: F32, out: F32): void;
  biasGrad(dy: F32, rows: number, c: number, out: F32): void;
  reluBiasGrad(dy: F32, y: F32, dz: F32, rows: number, c: number, db: F32): void;
  poolReluBiasGrad(y: F32, dy: F32, dz: F32, db: F32, n: number, h: number, w: number, c: number): void;
  maxPool(x: F32, y: F32, dims: PoolDims): void;
  maxPoolGrad(x: F32, dy: F32, dx: F32, dims: PoolDims): void;
  dropout(x: F32, y: F32, mask: F32, seed: number, step: number, layer: number, first: number, images: number, perImage: number, rate: number): void;
  mul(a: F32, b: F32, out: F32): void;
  setThreads(n: number): void;
  /** Benchmarks only: GFLOP/s of an FMA loop on 256- or 512-bit vectors; 0 where the CPU lacks them. */
  peakGflops(width: 256 | 512, threads: number, iterations: number): number;
  info(): NativeInfo;
}

/** Set to "off" to train without the native kernels even where they load (tests of the fallback, comparisons). */
export const NATIVE_SWITCH = 'DIGIT_WORKBENCH_NATIVE';

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Why the build step (scripts/build-native.js) left no addon, from the status file it writes. */
function buildReason(): string {
  try {
    const status = JSON.parse(readFileSync(builtFile('native/build-status.json', 'The native build status'), 'utf8')) as { reason?: string };
    if (status.reason) return status.reason;
  } catch {
    // No status: the build step never ran.
  }
  return 'not built (run npm run build:native)';
}

function load(): { addon: NativeAddon } | { reason: string } {
  if (process.env[NATIVE_SWITCH] === 'off') return { reason: `turned off by ${NATIVE_SWITCH}=off` };
  let path: string;
  try {
    path = builtFile('native/digit_native.node', 'The native kernels');
  } catch {
    return { reason: buildReason() };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    return { reason: `the addon did not load: ${firstLine(err)}` };
  }
  const info = addon.info();
  if (!info.avx2) return { reason: `this CPU lacks AVX2 (oneDNN ${info.version} would run at ${info.isa}): the wasm kernels are as fast` };
  return { addon };
}

/** The addon, or an Error whose message says why it cannot load here. */
export function nativeAddon(): NativeAddon {
  loaded ??= load();
  if ('reason' in loaded) throw new Error(loaded.reason);
  return loaded.addon;
}
