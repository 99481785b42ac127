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

/**
 * One training-mode step's loss and gradients for the whole batch: BatchNorm on the whole batch's moments,
 * dropout with the engine's masks for `step` (they are keyed by batch position, so any split draws the same).
 */
export async function referenceGradients(
  plan: ModelPlan, weights: Float32Array, x: Float32Array, y: Uint8Array, opts: { seed: number; step: number },
): Promise<Reference> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const n = y.length;
    const trainable = plan.params.filter((p) => p.trainable);
    const moving = new Float32Array(plan.size);
    const model = (...ws: tf.Tensor[]): tf.Scalar => {
      const w = new Map(trainable.map((p, i) => [p.name, ws[i]]));
      let h: tf.Tensor = tf.tensor4d(x, [n, ...INPUT_SHAPE]);
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
        } else if (spec.type === 'dropout' && spec.rate > 0) {
          const mask = dropoutMask(opts.seed, opts.step, layer.index, 0, n, h.size / n, spec.rate);
          h = tf.mul(h, tf.tensor(mask, h.shape));
        } else if (spec.type === 'batchNorm') {
          const { mean, variance } = tf.moments(h, h.shape.slice(0, -1).map((_, i) => i));
          // Keras: moving = momentum · moving + (1 − momentum) · batch statistic, the variance biased (÷ m).
          const [, , mm, mv] = layer.params;
          const [m, v] = [mean.dataSync(), variance.dataSync()];
          for (let k = 0; k < mm.size; k++) {
            moving[mm.offset + k] = weights[mm.offset + k] * BN_MOMENTUM + m[k] * (1 - BN_MOMENTUM);
            moving[mv.offset + k] = weights[mv.offset + k] * BN_MOMENTUM + v[k] * (1 - BN_MOMENTUM);
          }
          h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), param(0)), param(1));
        }
      }
      const picked = tf.sum(tf.mul(tf.logSoftmax(h), tf.oneHot(tf.tensor1d(y, 'int32'), 10)), 1);
      return tf.neg(tf.mean(picked));
    };
    const inputs = trainable.map((p) => tf.tensor(weights.slice(p.offset, p.offset + p.size), p.shape));
    const { value, grads } = tf.tidy(() => tf.valueAndGrads(model)(inputs));
    const flat = new Float32Array(plan.size);
    trainable.forEach((p, i) => flat.set(grads[i].dataSync(), p.offset));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...grads, ...inputs]);
    return { loss, grads: flat, moving };
  } finally {
    await tf.setBackend(previous);
  }
}
