// The engine's model written a second time with plain tfjs ops and differentiated by tf.grads on the cpu
// backend (tfjs's own kernels, none of this project's): the reference the hand-written backward passes must meet.

import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type ModelPlan } from '../../src/trainer/engine/model.js';
import { dropoutMask } from '../../src/trainer/engine/random.js';

/** Keras' BatchNormalization defaults, spelled out rather than imported: the engine must match them. */
const BN_MOMENTUM = 0.99;
const BN_EPSILON = 1e-3;

export interface Reference {
  /** Mean softmax cross-entropy over the batch. */
  loss: number;
  /** d loss / d each trainable parameter, in the plan's flat layout (zeros at moving statistics). */
  grads: Float32Array;
  /** The moving statistics Keras would hold after this step (plan layout, zeros elsewhere). */
  moving: Float32Array;
}

/** The model's final softmax is left out: the loss takes the log-softmax of the logits, as Keras fuses them. */
function activate(act: string, z: tf.Tensor, last: boolean): tf.Tensor {
  if (act === 'relu') return tf.relu(z);
  if (act === 'softmax' && !last) return tf.softmax(z);
  return z;
}

interface ForwardOptions {
  mode: 'train' | 'infer';
  /** Dropout masks are the engine's for (seed, step): keyed by batch position, so any split draws the same. */
  seed: number;
  step: number;
  /** Training: receives the moving statistics Keras would hold after this step. */
  moving?: Float32Array;
}

/** The logits (the last softmax left to the loss) of the model in plain tfjs ops; `w` maps every slot name. */
function referenceLogits(plan: ModelPlan, weights: Float32Array, w: Map<string, tf.Tensor>, x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
  const n = x.shape[0];
  let h = x;
  for (const layer of plan.layers) {
    const spec = layer.spec;
    const param = (i: number) => w.get(layer.params[i].name)!;
    const last = layer.index === plan.layers.length - 1;
    if (spec.type === 'conv2d') {
      h = activate(spec.activation, tf.add(tf.conv2d(h as tf.Tensor4D, param(0) as tf.Tensor4D, spec.strides ?? 1, spec.padding), param(1)), last);
    } else if (spec.type === 'dense') {
      h = activate(spec.activation, tf.add(tf.matMul(h as tf.Tensor2D, param(0) as tf.Tensor2D), param(1)), last);
    } else if (spec.type === 'activation') {
      h = activate(spec.activation, h, last);
    } else if (spec.type === 'maxPool2d') {
      h = tf.maxPool(h as tf.Tensor4D, spec.poolSize, spec.strides ?? spec.poolSize, 'valid');
    } else if (spec.type === 'flatten') {
      h = tf.reshape(h, [n, -1]);
    } else if (spec.type === 'dropout' && spec.rate > 0 && opts.mode === 'train') {
      const mask = dropoutMask(opts.seed, opts.step, layer.index, 0, n, h.size / n, spec.rate);
      h = tf.mul(h, tf.tensor(mask, h.shape));
    } else if (spec.type === 'batchNorm' && opts.mode === 'infer') {
      h = tf.add(tf.mul(tf.div(tf.sub(h, param(2)), tf.sqrt(tf.add(param(3), BN_EPSILON))), param(0)), param(1));
    } else if (spec.type === 'batchNorm') {
      const { mean, variance } = tf.moments(h, h.shape.slice(0, -1).map((_, i) => i));
      // Keras: moving = momentum · moving + (1 − momentum) · batch statistic, the variance biased (÷ m).
      const [, , mm, mv] = layer.params;
      const [m, v] = [mean.dataSync(), variance.dataSync()];
      for (let k = 0; k < mm.size && opts.moving; k++) {
        opts.moving[mm.offset + k] = weights[mm.offset + k] * BN_MOMENTUM + m[k] * (1 - BN_MOMENTUM);
        opts.moving[mv.offset + k] = weights[mv.offset + k] * BN_MOMENTUM + v[k] * (1 - BN_MOMENTUM);
      }
      h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), param(0)), param(1));
    }
  }
  return h;
}

function slotTensors(plan: ModelPlan, weights: Float32Array): Map<string, tf.Tensor> {
  return new Map(plan.params.map((p) => [p.name, tf.tensor(weights.slice(p.offset, p.offset + p.size), p.shape)]));
}

async function onCpu<T>(f: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend(previous);
  }
}

/** One training-mode step's loss and gradients for the whole batch: BatchNorm on the whole batch's moments. */
export function referenceGradients(
  plan: ModelPlan, weights: Float32Array, x: Float32Array, y: Uint8Array, opts: { seed: number; step: number },
): Promise<Reference> {
  return onCpu(() => tf.tidy(() => {
    const n = y.length;
    const trainable = plan.params.filter((p) => p.trainable);
    const moving = new Float32Array(plan.size);
    const all = slotTensors(plan, weights);
    const xs = tf.tensor4d(x, [n, ...INPUT_SHAPE]);
    const loss = (...ws: tf.Tensor[]): tf.Scalar => {
      trainable.forEach((p, i) => all.set(p.name, ws[i]));
      const logits = referenceLogits(plan, weights, all, xs, { mode: 'train', ...opts, moving });
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(y, 'int32'), 10)), 1)));
    };
    const { value, grads } = tf.valueAndGrads(loss)(trainable.map((p) => all.get(p.name)!));
    const flat = new Float32Array(plan.size);
    trainable.forEach((p, i) => flat.set(grads[i].dataSync(), p.offset));
    return { loss: value.dataSync()[0], grads: flat, moving };
  }));
}

/** d p(cls) / d pixels of one image in inference mode (moving statistics, no dropout): the saliency map. */
export function referenceSaliency(plan: ModelPlan, weights: Float32Array, x: Float32Array, cls: number): Promise<Float32Array> {
  return onCpu(() => tf.tidy(() => {
    const all = slotTensors(plan, weights);
    const probability = (xs: tf.Tensor) => {
      const logits = referenceLogits(plan, weights, all, xs, { mode: 'infer', seed: 0, step: 0 });
      return tf.sum(tf.mul(tf.softmax(logits), tf.oneHot([cls], 10)));
    };
    return tf.grad(probability)(tf.tensor4d(x, [1, ...INPUT_SHAPE])).dataSync() as Float32Array;
  }));
}
