// The forward and backward passes of a planned model, written with tf ops and kernels directly (no tape):
// fused conv/matmul + bias + ReLU forward, hand-derived gradients backward, so each backend runs its fastest kernels.

import * as tf from '@tensorflow/tfjs';
import { alone, batchNormBackward, fusedBatchNorm, normaliseInfer, normaliseTrain, type BatchSync, type NormCache } from './batch-norm.js';
import type { ModelPlan, PlannedLayer } from './model.js';
import { dropoutMask } from './random.js';
import { BIAS_GRAD, DROPOUT, hasKernel, POOL_RELU_BIAS_GRAD, RELU_BIAS_GRAD, RELU_GRAD, type DropoutAttrs } from './kernel-set.js';

export type Mode = 'train' | 'infer';

/** What a layer keeps from the forward pass for its backward pass. */
export interface Cache {
  input: tf.Tensor;
  output: tf.Tensor;
  mask?: tf.Tensor;
  norm?: NormCache;
}

export interface DropoutContext {
  seed: number;
  step: number;
  /** Position of this replica's first image in the full batch. */
  first: number;
}

export interface ForwardResult {
  logits: tf.Tensor2D;
  caches: Cache[];
  /** Per BatchNorm layer in training: the whole batch's mean then (biased) variance, channel by channel. */
  bnStats: Float32Array[];
  /** How this replica shares BatchNorm sums with the others of its batch (training only). */
  sync: BatchSync;
}

export type Weights = Map<string, tf.Tensor>;

function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (hasKernel(RELU_GRAD)) return tf.engine().runKernel(RELU_GRAD, { dy, y }, {}) as tf.Tensor;
  return tf.mul(dy, tf.step(y));
}

function biasGrad(dz: tf.Tensor): tf.Tensor {
  if (hasKernel(BIAS_GRAD)) return tf.engine().runKernel(BIAS_GRAD, { dy: dz }, {}) as tf.Tensor;
  return tf.sum(dz, dz.shape.slice(0, -1).map((_, i) => i));
}

/** The pre-activation gradient and, when parameter gradients are wanted, the bias gradient (fused where a kernel set has it). */
function linearGrads(act: string, dy: tf.Tensor, y: tf.Tensor, wantBias: boolean): [tf.Tensor, tf.Tensor | null] {
  if (act === 'relu' && wantBias && hasKernel(RELU_BIAS_GRAD)) {
    const [dz, db] = tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }, {}) as tf.Tensor[];
    return [dz, db];
  }
  const dz = activationGrad(act, dy, y);
  return [dz, wantBias ? biasGrad(dz) : null];
}

/**
 * With a kernel set that has it, a ReLU conv followed by a 2×2 stride-2 max pool takes its pre-activation and bias gradients straight
 * from the pool's gradient in one kernel; null when the pair does not have that shape.
 */
function fusedPoolGrads(plan: ModelPlan, i: number, fwd: ForwardResult, dy: tf.Tensor): [tf.Tensor, tf.Tensor] | null {
  const pool = plan.layers[i].spec;
  const prev = plan.layers[i - 1]?.spec;
  if (!hasKernel(POOL_RELU_BIAS_GRAD) || pool.type !== 'maxPool2d' || prev?.type !== 'conv2d' || prev.activation !== 'relu') return null;
  const strides = pool.strides ?? pool.poolSize;
  const [, h, w] = fwd.caches[i].input.shape;
  if (pool.poolSize !== 2 || strides !== 2 || h! % 2 !== 0 || w! % 2 !== 0) return null;
  const [dz, db] = tf.engine().runKernel(POOL_RELU_BIAS_GRAD, { dy, y: fwd.caches[i].input }, {}) as tf.Tensor[];
  return [dz, db];
}

function softmaxGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true)));
}

function activationGrad(act: string, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (act === 'relu') return reluGrad(dy, y);
  if (act === 'softmax') return softmaxGrad(dy, y);
  return dy;
}

/** The activation that follows a layer's linear part; the model's final softmax is left to the loss. */
function activationOf(layer: PlannedLayer, last: boolean): string {
  const spec = layer.spec;
  const act = spec.type === 'conv2d' || spec.type === 'dense' || spec.type === 'activation' ? spec.activation : 'linear';
  return last && act === 'softmax' ? 'linear' : act;
}

/**
 * Whether layer i is a BatchNorm whose training pass runs on fused kernels with the ReLU activation layer that
 * follows it fused in: the BatchNorm then outputs the ReLU's result (the ReLU layer passes it on) and applies the
 * ReLU's gradient mask in its backward pass (the ReLU layer passes dy on).
 */
function reluFusedInto(plan: ModelPlan, i: number, mode: Mode): boolean {
  const layer = plan.layers[i];
  const next = plan.layers[i + 1]?.spec;
  return mode === 'train' && layer?.spec.type === 'batchNorm' && next?.type === 'activation' && next.activation === 'relu'
    && fusedBatchNorm(layer.outShape[layer.outShape.length - 1]);
}

function applyActivation(act: string, x: tf.Tensor): tf.Tensor {
  if (act === 'relu') return tf.relu(x);
  if (act === 'softmax') return tf.softmax(x);
  return x;
}

export function forward(plan: ModelPlan, w: Weights, x: tf.Tensor, mode: Mode, drop?: DropoutContext, sync: BatchSync = alone): ForwardResult {
  const caches: Cache[] = [];
  const bnStats: Float32Array[] = [];
  let h = x;
  for (const layer of plan.layers) {
    const spec = layer.spec;
    const act = activationOf(layer, layer.index === plan.layers.length - 1);
    const cache: Cache = { input: h, output: h };
    switch (spec.type) {
      case 'conv2d':
      case 'dense': {
        const kernel = w.get(layer.params[0].name)!;
        const bias = w.get(layer.params[1].name)!;
        const fused = act === 'relu' ? 'relu' : 'linear';
        const z = spec.type === 'conv2d'
          ? tf.fused.conv2d({ x: h as tf.Tensor4D, filter: kernel as tf.Tensor4D, bias, strides: spec.strides ?? 1, pad: spec.padding, dilations: 1, activation: fused })
          : tf.fused.matMul({ a: h as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: fused });
        cache.output = act === 'softmax' ? tf.softmax(z) : z;
        break;
      }
      case 'maxPool2d':
        cache.output = tf.maxPool(h as tf.Tensor4D, spec.poolSize, spec.strides ?? spec.poolSize, 'valid');
        break;
      case 'activation':
        cache.output = reluFusedInto(plan, layer.index - 1, mode) ? h : applyActivation(act, h);
        break;
      case 'flatten':
        cache.output = tf.reshape(h, [h.shape[0], -1]);
        break;
      case 'dropout':
        if (mode === 'train' && spec.rate > 0 && drop && hasKernel(DROPOUT)) {
          const attrs: DropoutAttrs = { seed: drop.seed, step: drop.step, layer: layer.index, first: drop.first, rate: spec.rate };
          [cache.output, cache.mask] = tf.engine().runKernel(DROPOUT, { x: h }, attrs as never) as tf.Tensor[];
        } else if (mode === 'train' && spec.rate > 0 && drop) {
          const perImage = h.size / h.shape[0];
          const mask = dropoutMask(drop.seed, drop.step, layer.index, drop.first, h.shape[0], perImage, spec.rate);
          cache.mask = tf.tensor(mask, h.shape);
          cache.output = tf.mul(h, cache.mask);
        }
        break;
      case 'batchNorm': {
        const [gamma, beta, movingMean, movingVar] = layer.params.map((p) => w.get(p.name)!);
        if (mode === 'train') {
          const { norm, output } = normaliseTrain(h, gamma, beta, sync, bnStats, reluFusedInto(plan, layer.index, mode));
          cache.norm = norm;
          cache.output = output;
        } else {
          cache.norm = normaliseInfer(h, movingMean, movingVar);
          cache.output = tf.add(tf.mul(cache.norm.xhat, gamma), beta);
        }
        break;
      }
    }
    caches.push(cache);
    h = cache.output;
  }
  return { logits: h as tf.Tensor2D, caches, bnStats, sync };
}

/**
 * Backpropagates dLoss/dlogits. `grads` receives each trainable parameter's gradient by slot name (omit it to
 * skip them, e.g. for saliency); returns dLoss/dinput when `wantInput`, else null.
 */
export function backward(
  plan: ModelPlan, w: Weights, fwd: ForwardResult, dlogits: tf.Tensor, mode: Mode,
  grads: Map<string, tf.Tensor> | null, wantInput: boolean,
): tf.Tensor | null {
  let dy = dlogits;
  // Set by a fused pool step for the conv layer just below it.
  let preact: [tf.Tensor, tf.Tensor] | null = null;
  for (let i = plan.layers.length - 1; i >= 0; i--) {
    const layer = plan.layers[i];
    const spec = layer.spec;
    const cache = fwd.caches[i];
    const needDx = i > 0 || wantInput;
    const act = activationOf(layer, i === plan.layers.length - 1);
    let dx: tf.Tensor | null = null;
    switch (spec.type) {
      case 'conv2d': {
        const [dz, db] = preact ?? linearGrads(act, dy, cache.output, grads !== null);
        preact = null;
        const kernel = w.get(layer.params[0].name)!;
        const strides = spec.strides ?? 1;
        if (grads) {
          grads.set(layer.params[0].name, tf.engine().runKernel('Conv2DBackpropFilter', { x: cache.input, dy: dz },
            { strides, pad: spec.padding, dataFormat: 'NHWC', filterShape: kernel.shape } as never) as tf.Tensor);
          grads.set(layer.params[1].name, db!);
        }
        if (needDx) {
          dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: kernel },
            { strides, pad: spec.padding, dataFormat: 'NHWC', inputShape: cache.input.shape } as never) as tf.Tensor;
        }
        break;
      }
      case 'dense': {
        const [dz, db] = linearGrads(act, dy, cache.output, grads !== null);
        const kernel = w.get(layer.params[0].name)!;
        if (grads) {
          grads.set(layer.params[0].name, tf.matMul(cache.input as tf.Tensor2D, dz as tf.Tensor2D, true, false));
          grads.set(layer.params[1].name, db!);
        }
        if (needDx) dx = tf.matMul(dz as tf.Tensor2D, kernel as tf.Tensor2D, false, true);
        break;
      }
      case 'maxPool2d':
        preact = fusedPoolGrads(plan, i, fwd, dy);
        if (preact) {
          dx = dy; // unused: the conv below takes `preact`
        } else if (needDx) {
          const strides = spec.strides ?? spec.poolSize;
          dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: cache.input, output: cache.output },
            { filterSize: spec.poolSize, strides, pad: 'valid' } as never) as tf.Tensor;
        }
        break;
      case 'activation':
        // A ReLU fused into the BatchNorm below applies its mask there.
        dx = reluFusedInto(plan, i - 1, mode) ? dy : activationGrad(act, dy, cache.output);
        break;
      case 'flatten':
        dx = tf.reshape(dy, cache.input.shape);
        break;
      case 'dropout':
        dx = cache.mask ? tf.mul(dy, cache.mask) : dy;
        break;
      case 'batchNorm':
        dx = batchNormBackward(layer, w.get(layer.params[0].name)!, cache.norm!, dy, mode === 'train', fwd.sync, grads,
          reluFusedInto(plan, i, mode) ? fwd.caches[i + 1].output : null);
        break;
    }
    if (!needDx) return null;
    dy = dx!;
  }
  return dy;
}
