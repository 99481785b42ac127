// Backward-pass kernels for the wasm backend written as plain loops over its heap: max-pool gradient, ReLU
// gradient, bias gradient, and matmuls with transposed operands (copied once, then XNNPACK's plain path).

import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { addr, alloc, free, transpose2, view, type BackendWasm } from './wasm-heap.js';
import { simdKernels } from './wasm-simd.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface KernelArgs<A> {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: A;
}

export { BIAS_GRAD, POOL_RELU_BIAS_GRAD, RELU_BIAS_GRAD, RELU_GRAD } from './kernel-set.js';

/** dy routed to the first maximum of each window (row-major), as the cpu backend does. */
export function maxPoolGrad(args: KernelArgs<{ filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  const [N, H, W, C] = input.shape;
  const { outHeight: Ho, outWidth: Wo, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const out = alloc(backend, input.shape);
  const x = view(backend, input);
  const g = view(backend, dy);
  const dx = view(backend, out);
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && pt === 0 && pl === 0 && H % 2 === 0 && W % 2 === 0) {
    pool2x2Grad(x, g, dx, N * Ho, Wo, C);
    return out;
  }
  dx.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let gi = 0;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let ky = 0; ky < fh; ky++) {
          const iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < fw; kx++) {
            const ix = ox * sw - pl + kx;
            if (ix < 0 || ix >= W) continue;
            const base = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++, gi++) if (where[c] >= 0) dx[where[c]] += g[gi];
      }
    }
  }
  return out;
}

/**
 * The common 2×2, stride-2 case (LeNet, most CNNs): windows tile the input, so every input element is written
 * exactly once (no zero fill, no accumulation). `rows` = batch × output rows.
 */
function pool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, rows: number, Wo: number, C: number): void {
  const rowStride = 2 * Wo * C; // one input row
  let gi = 0;
  for (let r = 0; r < rows; r++) {
    const top = r * 2 * rowStride;
    for (let ox = 0; ox < Wo; ox++) {
      const a0 = top + 2 * ox * C;
      for (let c = 0; c < C; c++, gi++) {
        const a = a0 + c;
        const b = a + C;
        const d = a + rowStride;
        const e = d + C;
        // First maximum in row-major window order, as the cpu backend picks it.
        let at = a;
        if (x[b] > x[at]) at = b;
        if (x[d] > x[at]) at = d;
        if (x[e] > x[at]) at = e;
        dx[a] = 0;
        dx[b] = 0;
        dx[d] = 0;
        dx[e] = 0;
        dx[at] = g[gi];
      }
    }
  }
}

/** dy where y > 0, else 0 (y is the ReLU's output). */
export function reluGrad(args: KernelArgs<Record<string, never>>): TensorInfo {
  const { dy, y } = args.inputs;
  const out = alloc(args.backend, dy.shape);
  const g = view(args.backend, dy);
  const a = view(args.backend, y);
  const o = view(args.backend, out);
  for (let i = 0; i < o.length; i++) o[i] = a[i] > 0 ? g[i] : 0;
  return out;
}

/**
 * Sum over every axis but the last (a bias gradient). Accumulates in float64 rows per channel; in the SIMD
 * module when the channels fill its four lanes.
 */
export function biasGrad(args: KernelArgs<Record<string, never>>): TensorInfo {
  const { dy } = args.inputs;
  const C = dy.shape[dy.shape.length - 1];
  const out = alloc(args.backend, [C]);
  if (C % 4 === 0) {
    const scratch = alloc(args.backend, [3 * C]);
    simdKernels(args.backend).channelSums(addr(args.backend, dy), dy.shape.reduce((a, b) => a * b, 1) / C, C, addr(args.backend, out), addr(args.backend, scratch));
    free(args.backend, scratch);
    return out;
  }
  const g = view(args.backend, dy);
  const acc = new Float64Array(C);
  for (let i = 0; i < g.length; i += C) for (let c = 0; c < C; c++) acc[c] += g[i + c];
  view(args.backend, out).set(acc);
  return out;
}

/** [dz, db]: the ReLU gradient and its sum over all but the last axis, in one pass over memory. */
export function reluBiasGrad(args: KernelArgs<Record<string, never>>): TensorInfo[] {
  const { dy, y } = args.inputs;
  const C = dy.shape[dy.shape.length - 1];
  const dz = alloc(args.backend, dy.shape);
  const db = alloc(args.backend, [C]);
  const g = view(args.backend, dy);
  const a = view(args.backend, y);
  const o = view(args.backend, dz);
  const acc = new Float64Array(C);
  for (let i = 0; i < g.length; i += C) {
    for (let c = 0; c < C; c++) {
      const v = a[i + c] > 0 ? g[i + c] : 0;
      o[i + c] = v;
      acc[c] += v;
    }
  }
  view(args.backend, db).set(acc);
  return [dz, db];
}

/**
 * [dz, db] for a ReLU layer followed by a 2×2, stride-2 max pool, in one branch-free SIMD-module pass: the pool's
 * gradient `dy` goes to the first maximum of each window (as MaxPoolGrad routes it) when that maximum is positive
 * (the ReLU's gradient), and the bias gradient is summed on the way. `y` is the ReLU's output, [N, H, W, C] with
 * H and W even.
 */
export function poolReluBiasGrad(args: KernelArgs<Record<string, never>>): TensorInfo[] {
  const { dy, y } = args.inputs;
  const backend = args.backend;
  const [N, H, W, C] = y.shape;
  const dz = alloc(backend, y.shape);
  const db = alloc(backend, [C]);
  simdKernels(backend).poolReluBiasGrad(addr(backend, y), addr(backend, dy), addr(backend, dz), addr(backend, db), (N * H) / 2, W / 2, C);
  return [dz, db];
}

/**
 * BatchMatMul with transposed operands: one transposed goes to the SIMD kernels; both transposed are copied
 * transposed on the heap, then take the backend's plain (fast) path.
 */
export function batchMatMul(args: KernelArgs<{ transposeA: boolean; transposeB: boolean }>, original: KernelFunc): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if ((!attrs.transposeA && !attrs.transposeB) || batchA !== batchB || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return original(args as never) as TensorInfo;
  }
  if (attrs.transposeA !== attrs.transposeB) {
    // One operand transposed (a dense layer's input or weight gradient): the SIMD kernels read it as it is.
    const k = simdKernels(backend);
    const [ra, ca] = a.shape.slice(-2);
    const [rb, cb] = b.shape.slice(-2);
    const [rows, cols] = attrs.transposeB ? [ra, rb] : [ca, cb];
    const out = alloc(backend, [...a.shape.slice(0, -2), rows, cols]);
    const [aA, bA, outA] = [addr(backend, a), addr(backend, b), addr(backend, out)];
    for (let i = 0; i < batchA; i++) {
      const [ai, bi, oi] = [aA + i * ra * ca * 4, bA + i * rb * cb * 4, outA + i * rows * cols * 4];
      if (attrs.transposeB) k.matMulABt(ai, bi, oi, rows, cols, ca);
      else k.matMulAtB(ai, bi, oi, ra, rows, cols);
    }
    return out;
  }
  const flip = (t: TensorInfo, on: boolean): TensorInfo => {
    if (!on) return t;
    const r = t.shape[t.shape.length - 2];
    const c = t.shape[t.shape.length - 1];
    const out = alloc(backend, [...t.shape.slice(0, -2), c, r]);
    transpose2(view(backend, t), batchA, r, c, view(backend, out));
    return out;
  };
  const at = flip(a, attrs.transposeA);
  const bt = flip(b, attrs.transposeB);
  const out = original({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as TensorInfo;
  if (at !== a) free(backend, at);
  if (bt !== b) free(backend, bt);
  return out;
}
