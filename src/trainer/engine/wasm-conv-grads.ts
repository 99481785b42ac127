// Conv2D gradients for the wasm backend as compositions of its XNNPACK Conv2D kernel.
// The backend lacks Conv2DBackpropFilter and its Conv2DBackpropInput is a slow scalar loop.

import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { addr, alloc, free, transpose4, view, type BackendWasm } from './wasm-heap.js';
import { simdKernels } from './wasm-simd.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

interface KernelArgs<A> {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: A;
}

function wasmConv2D(): KernelFunc {
  return tf.getKernel('Conv2D', 'wasm').kernelFunc;
}

/** A Conv2D on the heap with explicit padding (stride 1), i.e. XNNPACK's indirect GEMM. */
function conv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pads: number[], dilations: [number, number]): TensorInfo {
  const [top, bottom, left, right] = pads;
  return wasmConv2D()({
    inputs: { x, filter },
    backend,
    attrs: {
      strides: 1,
      dilations,
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    },
  }) as TensorInfo;
}

/** Taps per group of the filter-gradient kernel, and the output channels it handles at once. */
const TAPS = 6;
const LANES8 = 8;
/** Floats per inputGradRow slice. */
const SLICE = 32;

/** Where the SIMD kernels see a convolution: its filter, strides, and the zero-padded frame the windows tile. */
interface Frame {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  /** The frame's height and width: every window lies inside, (Ho − 1)·sh + kh by (Wo − 1)·sw + kw. */
  Hp: number;
  Wp: number;
}

/** The frame of a conv, or null when some input rows or columns lie past the last window (the kernels' copies assume none). */
function frameOf(info: tf.backend_util.Conv2DInfo): Frame | null {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = info;
  const { top: pt, left: pl } = info.padInfo;
  const Hp = (Ho - 1) * sh + kh;
  const Wp = (Wo - 1) * sw + kw;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || H + pt > Hp || W + pl > Wp) return null;
  return { kh, kw, sh, sw, pt, pl, Hp, Wp };
}

/**
 * Whether the scatter kernel beats XNNPACK's Conv2D on the flipped filter for an input gradient with C channels.
 * Measured per 32 images: it wins on strided convs with many channels, where the Conv2D route also multiplies the
 * zeros interleaved into dy (5×5/2 over 32 and 64 channels: 16 vs 44 ms, 21 vs 50 ms), and at stride 1 on a few
 * channels that fill most of its 32-float slices but not XNNPACK's 8-channel tiles (LeNet's 5×5 over 6: 1.3 vs
 * 2.0 ms). XNNPACK wins at stride 1 from 8 channels up (2–3×) and on narrow rows (3×3 over 6 channels, strided or
 * not; a single channel).
 */
function preferScatter(C: number, kw: number, sh: number, sw: number): boolean {
  return sh * sw > 1 ? C >= 8 : C < 8 && kw * C >= 24;
}

/**
 * Filter gradient with the SIMD kernel: the input zero-padded once, dy padded to a multiple of eight channels,
 * then, image by image, six taps × eight channels at a time accumulated in registers.
 */
function filterGradSimd(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, f: Frame): TensorInfo {
  const k = simdKernels(backend);
  const [N, H, W, C] = x.shape;
  const [, Ho, Wo, Co] = dy.shape;
  const { kh, kw, sh, sw, pt, pl, Hp, Wp } = f;
  const Co8 = Math.ceil(Co / LANES8) * LANES8;
  const K = kh * kw * C;
  const K6 = Math.ceil(K / TAPS) * TAPS;
  const xp = alloc(backend, [N, Hp, Wp, C]);
  const dzp = Co8 === Co ? dy : alloc(backend, [N, Ho, Wo, Co8]);
  // Rows K..K6−1 take the unused slots of the last group of taps (they repeat tap 0, and are dropped).
  const acc = alloc(backend, [K6, Co8]);
  const taps = alloc(backend, [K6]);
  const dw = alloc(backend, [kh, kw, C, Co]);
  const tapView = new Int32Array(view(backend, taps).buffer, addr(backend, taps), K6);
  for (let t = 0; t < K6; t++) {
    const ci = t < K ? t % C : 0;
    const kx = t < K ? Math.floor(t / C) % kw : 0;
    const ky = t < K ? Math.floor(t / (C * kw)) : 0;
    tapView[t] = ((ky * Wp + kx) * C + ci) * 4;
  }
  const xpA = addr(backend, xp);
  const dzA = addr(backend, dzp);
  const accA = addr(backend, acc);
  k.pad(addr(backend, x), xpA, N, H, W, C, Hp, Wp, C, pt, pl);
  if (dzp !== dy) k.pad(addr(backend, dy), dzA, N, Ho, Wo, Co, Ho, Wo, Co8, 0, 0);
  k.zero(accA, K6 * Co8 * 4);
  k.filterGrad(xpA, dzA, addr(backend, taps), accA, N, Ho, Wo, C, Hp, Wp, Co8, sh, sw, K6);
  k.crop(accA, addr(backend, dw), 1, K, 1, Co, K6, 1, Co8, 0, 0);
  free(backend, xp);
  if (dzp !== dy) free(backend, dzp);
  free(backend, acc);
  free(backend, taps);
  return dw;
}

/**
 * Input gradient with the SIMD kernel: each dy pixel scatters its filter-row products straight into a zero-padded
 * dx (32 floats of a filter row at a time, image by image), which is then cropped to the input's shape. Strided convs cost no more
 * than stride 1 here (no zero-interleaved dy).
 */
function inputGradSimd(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, inputShape: Shape4, f: Frame): TensorInfo {
  const k = simdKernels(backend);
  const [N, H, W, C] = inputShape;
  const [, Ho, Wo, Co] = dy.shape;
  const { kh, kw, sh, sw, pt, pl, Hp, Wp } = f;
  const R = kw * C;
  const slices = Math.ceil(R / SLICE);
  const wt = alloc(backend, [kh, slices, Co, SLICE]);
  const dxp = alloc(backend, [N * Hp * Wp * C + SLICE]);
  const dx = alloc(backend, inputShape);
  {
    const src = view(backend, filter);
    const dst = view(backend, wt);
    let o = 0;
    for (let ky = 0; ky < kh; ky++) {
      for (let s = 0; s < slices; s++) {
        for (let oc = 0; oc < Co; oc++) {
          for (let l = 0; l < SLICE; l++, o++) {
            const r = s * SLICE + l;
            dst[o] = r < R ? src[(ky * R + r) * Co + oc] : 0;
          }
        }
      }
    }
  }
  const dxpA = addr(backend, dxp);
  const wtA = addr(backend, wt);
  const dyA = addr(backend, dy);
  k.zero(dxpA, (N * Hp * Wp * C + SLICE) * 4);
  k.inputGrad(dyA, wtA, dxpA, N, Ho, Wo, Co, C, Hp, Wp, sh, sw, kh, slices);
  k.crop(dxpA, addr(backend, dx), N, H, W, C, Hp, Wp, C, pt, pl);
  free(backend, wt);
  free(backend, dxp);
  return dx;
}

/**
 * dW[i,j,c,o] = Σ x[n, y·s+i−pt, x·s+j−pl, c] · dy[n,y,x,o]: a convolution of the input with batch and channels
 * swapped (C images of N channels) by dy used as an Ho×Wo filter dilated by the stride.
 */
export function conv2DBackpropFilter(args: KernelArgs<{ strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: Shape4 }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [N, H, W, C] = x.shape;
  const [, Ho, Wo, Co] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const frame = frameOf(info);
  if (frame) return filterGradSimd(backend, x, dy, frame);
  // Rows and columns past the last window never contribute: crop them instead of padding negatively.
  const spanH = (Ho - 1) * sh + kh - pt;
  const spanW = (Wo - 1) * sw + kw - pl;
  const Hc = Math.min(H, spanH);
  const Wc = Math.min(W, spanW);
  const xT = alloc(backend, [C, Hc, Wc, N]);
  const dyT = alloc(backend, [Ho, Wo, N, Co]);
  transpose4(view(backend, x), x.shape, [3, 1, 2, 0], view(backend, xT), [N, Hc, Wc, C]);
  transpose4(view(backend, dy), dy.shape, [1, 2, 0, 3], view(backend, dyT));
  const out = conv(backend, xT, dyT, [pt, spanH - Hc, pl, spanW - Wc], [sh, sw]);
  free(backend, xT);
  free(backend, dyT);
  const dw = alloc(backend, [kh, kw, C, Co]);
  transpose4(view(backend, out), [C, kh, kw, Co], [1, 2, 0, 3], view(backend, dw));
  free(backend, out);
  return dw;
}

/**
 * dx = the "full" correlation of dy (zero-interleaved when strided) with the filter flipped in space and with its
 * channel axes swapped.
 */
export function conv2DBackpropInput(args: KernelArgs<{ strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: Shape4 }>, fallback: KernelFunc): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [N, H, W, C] = attrs.inputShape;
  const [, Ho, Wo, Co] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top: pt, left: pl } = info.padInfo;
  const Hd = (Ho - 1) * sh + 1;
  const Wd = (Wo - 1) * sw + 1;
  const pads = [kh - 1 - pt, H - Hd + pt, kw - 1 - pl, W - Wd + pl];
  if (pads.some((p) => p < 0)) return fallback(args as never) as TensorInfo;
  const frame = frameOf(info);
  if (frame && preferScatter(C, kw, sh, sw)) return inputGradSimd(backend, dy, filter, attrs.inputShape, frame);

  const wf = alloc(backend, [kh, kw, Co, C]);
  {
    const src = view(backend, filter);
    const dst = view(backend, wf);
    let o = 0;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const base = ((kh - 1 - i) * kw + (kw - 1 - j)) * C * Co;
        for (let oc = 0; oc < Co; oc++) for (let c = 0; c < C; c++) dst[o++] = src[base + c * Co + oc];
      }
    }
  }
  let dyd = dy;
  if (sh > 1 || sw > 1) {
    dyd = alloc(backend, [N, Hd, Wd, Co]);
    const src = view(backend, dy);
    const dst = view(backend, dyd);
    dst.fill(0);
    for (let n = 0; n < N; n++) {
      for (let y = 0; y < Ho; y++) {
        for (let x = 0; x < Wo; x++) {
          const s = ((n * Ho + y) * Wo + x) * Co;
          dst.set(src.subarray(s, s + Co), ((n * Hd + y * sh) * Wd + x * sw) * Co);
        }
      }
    }
  }
  const out = conv(backend, dyd, wf, pads, [1, 1]);
  free(backend, wf);
  if (dyd !== dy) free(backend, dyd);
  return out;
}
