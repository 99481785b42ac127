// The native kernel set as tfjs kernels: a 'native' backend is tfjs's cpu backend (tensors are plain typed arrays
// in this process) with its hot kernels replaced by the oneDNN addon's, and the project's custom kernels (fused
// BatchNorm, ReLU/bias gradients, dropout) added. Anything not replaced — a dilated or channels-first convolution,
// an op the passes use rarely — runs on the cpu backend's own kernel, so every model still trains.

import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  BIAS_GRAD, BN_GRAD_APPLY, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE, DROPOUT, POOL_RELU_BIAS_GRAD, RELU_BIAS_GRAD, RELU_GRAD, type DropoutAttrs,
} from '../kernel-set.js';
import type { NativeAddon } from './addon.js';
import { outputBuffer } from './buffers.js';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface Args<A = Record<string, unknown>> {
  inputs: Record<string, TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs: A;
}

/** A kernel that returns null when it cannot take these inputs: the cpu backend's kernel runs instead. */
export type NativeKernel = (args: Args<never>, addon: NativeAddon) => TensorInfo | TensorInfo[] | null;

const values = (b: MathBackendCPU, t: TensorInfo) => b.data.get(t.dataId)!.values as Float32Array;
const out = (b: MathBackendCPU, shape: number[], data: Float32Array) => b.makeTensorInfo(shape, 'float32', data);
const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);
const f32 = (...ts: (TensorInfo | undefined)[]) => ts.every((t) => t === undefined || t.dtype === 'float32');
const channels = (t: TensorInfo) => t.shape[t.shape.length - 1];

function convDims(info: tf.backend_util.Conv2DInfo): number[] {
  const p = info.padInfo;
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, p.top, p.left, p.bottom, p.right, info.outHeight, info.outWidth];
}

interface ConvAttrs { strides: number | [number, number]; pad: Pad; dataFormat?: string; dilations?: number | [number, number]; dimRoundingMode?: Rounding }

/** The geometry when oneDNN's kernel applies: NHWC, no dilation, no implicit ceil padding beyond the input. */
function convInfo(xShape: Shape4, filterShape: Shape4, attrs: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) return null;
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

const fusedConv2D: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const a = attrs as ConvAttrs & { activation?: string };
  const act = a.activation ?? 'linear';
  if (!x || !filter || preluActivationWeights || !f32(x, filter, bias) || (act !== 'linear' && act !== 'relu')) return null;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) return null;
  const info = convInfo(x.shape as Shape4, filter.shape as Shape4, a);
  if (!info) return null;
  const y = outputBuffer(size(info.outShape));
  addon.convForward(values(backend, x), values(backend, filter), bias ? values(backend, bias) : null, y, convDims(info), act === 'relu');
  return out(backend, info.outShape, y);
};

const conv2DBackpropFilter: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, dy } = inputs;
  const a = attrs as ConvAttrs & { filterShape: Shape4 };
  if (!x || !dy || !f32(x, dy)) return null;
  const info = convInfo(x.shape as Shape4, a.filterShape, a);
  if (!info) return null;
  const dw = outputBuffer(size(a.filterShape));
  addon.convBackwardWeights(values(backend, x), values(backend, dy), dw, convDims(info));
  return out(backend, a.filterShape, dw);
};

const conv2DBackpropInput: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { dy, filter } = inputs;
  const a = attrs as ConvAttrs & { inputShape: Shape4 };
  if (!dy || !filter || !f32(dy, filter)) return null;
  const info = convInfo(a.inputShape, filter.shape as Shape4, a);
  if (!info) return null;
  const dx = outputBuffer(size(a.inputShape));
  addon.convBackwardData(values(backend, dy), values(backend, filter), dx, convDims(info));
  return out(backend, a.inputShape, dx);
};

/** Rank-2 products (a dense layer and its gradients); batched ones go to the cpu kernel. */
function matmul(a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean, backend: MathBackendCPU, addon: NativeAddon): { y: Float32Array; shape: number[] } | null {
  if (!f32(a, b) || size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, k] = ta ? [ca, ra] : [ra, ca];
  const n = tb ? rb : cb;
  if ((tb ? cb : rb) !== k) return null;
  const y = outputBuffer(m * n);
  addon.matmul(ta, tb, m, n, k, values(backend, a), values(backend, b), y);
  return { y, shape: [...a.shape.slice(0, -2), m, n] };
}

const batchMatMul: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { a, b } = inputs;
  const t = attrs as { transposeA: boolean; transposeB: boolean };
  const r = a && b ? matmul(a, b, t.transposeA, t.transposeB, backend, addon) : null;
  return r && out(backend, r.shape, r.y);
};

const fusedMatMul: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { a, b, bias, preluActivationWeights } = inputs;
  const t = attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
  const act = t.activation ?? 'linear';
  if (!a || !b || preluActivationWeights || (act !== 'linear' && act !== 'relu') || !f32(bias)) return null;
  const r = matmul(a, b, t.transposeA, t.transposeB, backend, addon);
  const cols = r ? r.shape[r.shape.length - 1] : 0;
  if (!r || (bias && (bias.shape.length !== 1 || bias.shape[0] !== cols))) return null;
  addon.biasAct(r.y, bias ? values(backend, bias) : null, r.y.length / cols, cols, act === 'relu');
  return out(backend, r.shape, r.y);
};

interface PoolAttrs { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: Rounding }

function poolDims(xShape: Shape4, a: PoolAttrs): number[] {
  const i = tf.backend_util.computePool2DInfo(xShape, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  return [i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.filterHeight, i.filterWidth, i.strideHeight, i.strideWidth,
    i.padInfo.top, i.padInfo.left, i.outHeight, i.outWidth];
}

const maxPool: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x } = inputs;
  if (!x || !f32(x) || x.shape.length !== 4) return null;
  const d = poolDims(x.shape as Shape4, attrs as PoolAttrs);
  const y = outputBuffer(d[0] * d[10] * d[11] * d[3]);
  addon.maxPool(values(backend, x), y, d);
  return out(backend, [d[0], d[10], d[11], d[3]], y);
};

const maxPoolGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { dy, input } = inputs;
  if (!dy || !input || !f32(dy, input)) return null;
  const dx = outputBuffer(size(input.shape));
  addon.maxPoolGrad(values(backend, input), values(backend, dy), dx, poolDims(input.shape as Shape4, attrs as PoolAttrs));
  return out(backend, input.shape, dx);
};

const mul: NativeKernel = ({ inputs, backend }, addon) => {
  const { a, b } = inputs;
  if (!a || !b || !f32(a, b) || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return null;
  const y = outputBuffer(size(a.shape));
  addon.mul(values(backend, a), values(backend, b), y);
  return out(backend, a.shape, y);
};

const reluGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { dy, y } = inputs as Record<string, TensorInfo>;
  const dz = outputBuffer(size(dy.shape));
  addon.reluGrad(values(backend, dy), values(backend, y), dz);
  return out(backend, dy.shape, dz);
};

const biasGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { dy } = inputs as Record<string, TensorInfo>;
  const c = channels(dy);
  const db = outputBuffer(c);
  addon.biasGrad(values(backend, dy), size(dy.shape) / c, c, db);
  return out(backend, [c], db);
};

const reluBiasGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { dy, y } = inputs as Record<string, TensorInfo>;
  const c = channels(dy);
  const dz = outputBuffer(size(dy.shape));
  const db = outputBuffer(c);
  addon.reluBiasGrad(values(backend, dy), values(backend, y), dz, size(dy.shape) / c, c, db);
  return [out(backend, dy.shape, dz), out(backend, [c], db)];
};

const poolReluBiasGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const { dy, y } = inputs as Record<string, TensorInfo>;
  const [n, h, w, c] = y.shape;
  const dz = outputBuffer(size(y.shape));
  const db = outputBuffer(c);
  addon.poolReluBiasGrad(values(backend, y), values(backend, dy), dz, db, n, h, w, c);
  return [out(backend, y.shape, dz), out(backend, [c], db)];
};

/** A float32 tensor of 4c values holding 2c float64 sums, as the passes read BatchNorm's sums back. */
function sums(backend: MathBackendCPU, c: number, fill: (f64: Float64Array) => void): TensorInfo {
  const data = outputBuffer(4 * c);
  fill(new Float64Array(data.buffer));
  return out(backend, [4 * c], data);
}

const bnMoments: NativeKernel = ({ inputs, backend }, addon) => {
  const { x } = inputs as Record<string, TensorInfo>;
  const c = channels(x);
  return sums(backend, c, (f64) => addon.bnMoments(values(backend, x), size(x.shape) / c, c, f64));
};

const bnNormalize: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, mean, invStd, gamma, beta } = inputs as Record<string, TensorInfo>;
  const c = channels(x);
  const xhat = outputBuffer(size(x.shape));
  const y = outputBuffer(xhat.length);
  const v = (t: TensorInfo) => values(backend, t);
  addon.bnNormalize(v(x), xhat, y, xhat.length / c, c, v(mean), v(invStd), v(gamma), v(beta), (attrs as { relu: boolean }).relu);
  return [out(backend, x.shape, xhat), out(backend, x.shape, y)];
};

const bnGradSums: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { dy, xhat, y } = inputs as Record<string, TensorInfo>;
  const c = channels(dy);
  const masked = (attrs as { masked: boolean }).masked;
  return sums(backend, c, (f64) => addon.bnGradSums(values(backend, dy), values(backend, xhat), masked ? values(backend, y) : null, size(dy.shape) / c, c, f64));
};

const bnGradApply: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { dy, xhat, y, meanG, meanGX, scale } = inputs as Record<string, TensorInfo>;
  const c = channels(dy);
  const masked = (attrs as { masked: boolean }).masked;
  const dx = outputBuffer(size(dy.shape));
  const v = (t: TensorInfo) => values(backend, t);
  addon.bnGradApply(v(dy), v(xhat), masked ? v(y) : null, dx, dx.length / c, c, v(meanG), v(meanGX), v(scale));
  return out(backend, dy.shape, dx);
};

const dropout: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x } = inputs as Record<string, TensorInfo>;
  const a = attrs as DropoutAttrs;
  const images = x.shape[0];
  const y = outputBuffer(size(x.shape));
  const mask = outputBuffer(y.length);
  addon.dropout(values(backend, x), y, mask, a.seed, a.step, a.layer, a.first, images, y.length / images, a.rate);
  return [out(backend, x.shape, y), out(backend, x.shape, mask)];
};

/** Kernels that replace the cpu backend's (a null result falls back to it) and the project's own. */
export const NATIVE_KERNELS: Record<string, NativeKernel> = {
  Conv2D: fusedConv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  Multiply: mul,
  [RELU_GRAD]: reluGrad,
  [BIAS_GRAD]: biasGrad,
  [RELU_BIAS_GRAD]: reluBiasGrad,
  [POOL_RELU_BIAS_GRAD]: poolReluBiasGrad,
  [BN_MOMENTS]: bnMoments,
  [BN_NORMALIZE]: bnNormalize,
  [BN_GRAD_SUMS]: bnGradSums,
  [BN_GRAD_APPLY]: bnGradApply,
  [DROPOUT]: dropout,
};

