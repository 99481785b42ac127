// The model as prediction runs it: weights fixed, so each BatchNorm's moving statistics, gamma and beta fold into
// the convolution or dense layer before it (scale its kernel and bias per output channel), a ReLU after it becomes
// the layer's fused activation and dropout disappears. cnn-strong's 21 layers become 8 fused ops, each one XNNPACK
// call on wasm, instead of conv + 4 element-wise BatchNorm ops + ReLU per block. The folded tensors live as long as
// the weights do, so the backend's cached XNNPACK operators (keyed by the filter tensor) are reused every batch.

import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, type ModelPlan } from './model.js';

type Act = 'relu' | 'linear';

export type InferenceStep =
  | { op: 'conv2d'; kernel: tf.Tensor4D; bias: tf.Tensor1D; strides: number; pad: 'same' | 'valid'; act: Act }
  | { op: 'dense'; kernel: tf.Tensor2D; bias: tf.Tensor1D; act: Act }
  | { op: 'maxPool2d'; size: number; strides: number }
  | { op: 'flatten' }
  /** A BatchNorm with nothing linear before it to fold into: y = x · scale + shift. */
  | { op: 'affine'; scale: tf.Tensor1D; shift: tf.Tensor1D }
  | { op: 'relu' }
  | { op: 'softmax' };

/** Host-side step while folding: kernels stay Float64 until the plan is final. */
type Draft =
  | { op: 'conv2d' | 'dense'; kernel: Float64Array; shape: number[]; bias: Float64Array; strides: number; pad: 'same' | 'valid'; act: Act }
  | { op: 'maxPool2d'; size: number; strides: number }
  | { op: 'flatten' }
  | { op: 'affine'; scale: Float64Array; shift: Float64Array }
  | { op: 'relu' }
  | { op: 'softmax' };

/**
 * Folds `flat` (the plan's weight layout) into inference steps. Exact up to float rounding:
 * BN(x·W + b) = x·(W·s) + (b − μ)·s + β with s = γ / √(σ² + ε), per output channel.
 */
export function foldInference(plan: ModelPlan, flat: Float32Array): InferenceStep[] {
  const slot = (i: number, k: number) => {
    const p = plan.layers[i].params[k];
    return Float64Array.from(flat.subarray(p.offset, p.offset + p.size));
  };
  const drafts: Draft[] = [];
  const last = plan.layers.length - 1;
  for (const layer of plan.layers) {
    const spec = layer.spec;
    const prev = drafts.at(-1);
    switch (spec.type) {
      case 'conv2d':
      case 'dense': {
        // The model's final softmax is left to the caller (softmaxRows), as in training's logits-only forward.
        const act = spec.activation === 'softmax' && layer.index === last ? 'linear' : spec.activation;
        drafts.push({
          op: spec.type, kernel: slot(layer.index, 0), shape: layer.params[0].shape, bias: slot(layer.index, 1),
          strides: spec.type === 'conv2d' ? spec.strides ?? 1 : 1, pad: spec.type === 'conv2d' ? spec.padding : 'valid',
          act: act === 'relu' ? 'relu' : 'linear',
        });
        if (act === 'softmax') drafts.push({ op: 'softmax' });
        break;
      }
      case 'batchNorm': {
        const [gamma, beta, mean, variance] = [0, 1, 2, 3].map((k) => slot(layer.index, k));
        const scale = gamma.map((g, c) => g / Math.sqrt(variance[c] + BN_EPSILON));
        const shift = beta.map((b, c) => b - mean[c] * scale[c]);
        if (prev && (prev.op === 'conv2d' || prev.op === 'dense') && prev.act === 'linear') {
          // The kernel's last axis is the output channel in both layouts ([kh, kw, in, out] and [in, out]).
          const out = scale.length;
          for (let i = 0; i < prev.kernel.length; i++) prev.kernel[i] *= scale[i % out];
          for (let c = 0; c < out; c++) prev.bias[c] = prev.bias[c] * scale[c] + shift[c];
        } else {
          drafts.push({ op: 'affine', scale, shift });
        }
        break;
      }
      case 'activation': {
        const act = spec.activation === 'softmax' && layer.index === last ? 'linear' : spec.activation;
        if (act === 'linear') break;
        if (act === 'relu' && prev && (prev.op === 'conv2d' || prev.op === 'dense') && prev.act === 'linear') prev.act = 'relu';
        else drafts.push(act === 'relu' ? { op: 'relu' } : { op: 'softmax' });
        break;
      }
      case 'maxPool2d':
        drafts.push({ op: 'maxPool2d', size: spec.poolSize, strides: spec.strides ?? spec.poolSize });
        break;
      case 'flatten':
        drafts.push({ op: 'flatten' });
        break;
      case 'dropout':
        break; // identity at inference
    }
  }
  return drafts.map((d): InferenceStep => {
    switch (d.op) {
      case 'conv2d':
      case 'dense': {
        const kernel = tf.tensor(Float32Array.from(d.kernel), d.shape);
        const bias = tf.tensor1d(Float32Array.from(d.bias));
        return d.op === 'conv2d'
          ? { op: 'conv2d', kernel: kernel as tf.Tensor4D, bias, strides: d.strides, pad: d.pad, act: d.act }
          : { op: 'dense', kernel: kernel as tf.Tensor2D, bias, act: d.act };
      }
      case 'affine':
        return { op: 'affine', scale: tf.tensor1d(Float32Array.from(d.scale)), shift: tf.tensor1d(Float32Array.from(d.shift)) };
      default:
        return d;
    }
  });
}

/**
 * Logits of a batch through the folded steps; `penultimate`, when given, receives the input of the last dense step
 * (the activations the embedding map places). Call inside tf.tidy.
 */
export function inferLogits(steps: InferenceStep[], x: tf.Tensor4D, penultimate?: (h: tf.Tensor2D) => void): tf.Tensor2D {
  const lastDense = penultimate ? steps.findLastIndex((s) => s.op === 'dense') : -1;
  let h: tf.Tensor = x;
  for (const [i, s] of steps.entries()) {
    if (i === lastDense) penultimate!(h as tf.Tensor2D);
    switch (s.op) {
      case 'conv2d':
        h = tf.fused.conv2d({ x: h as tf.Tensor4D, filter: s.kernel, bias: s.bias, strides: s.strides, pad: s.pad, dilations: 1, activation: s.act });
        break;
      case 'dense':
        h = tf.fused.matMul({ a: h as tf.Tensor2D, b: s.kernel, bias: s.bias, activation: s.act });
        break;
      case 'maxPool2d':
        h = tf.maxPool(h as tf.Tensor4D, s.size, s.strides, 'valid');
        break;
      case 'flatten':
        h = tf.reshape(h, [h.shape[0], -1]);
        break;
      case 'affine':
        h = tf.add(tf.mul(h, s.scale), s.shift);
        break;
      case 'relu':
        h = tf.relu(h);
        break;
      case 'softmax':
        h = tf.softmax(h);
        break;
    }
  }
  return h as tf.Tensor2D;
}

export function disposeInference(steps: InferenceStep[]): void {
  for (const s of steps) {
    if (s.op === 'conv2d' || s.op === 'dense') tf.dispose([s.kernel, s.bias]);
    if (s.op === 'affine') tf.dispose([s.scale, s.shift]);
  }
}
