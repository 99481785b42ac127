// One copy of the model on the current tfjs backend: computes gradients for a share of a batch, predictions and
// saliency maps. The engine runs one in-process and, for data parallelism, one per worker thread.

import * as tf from '@tensorflow/tfjs';
import { badInput } from '../../shared/errors.js';
import { alone, type BatchSync } from './batch-norm.js';
import { disposeInference, foldInference, inferLogits, type InferenceStep } from './inference-plan.js';
import { CLASSES, INPUT_SHAPE, type ModelPlan } from './model.js';
import { backward, forward, type Weights } from './passes.js';

export interface Share {
  x: Float32Array;
  y: Uint8Array;
  /** Position of the share's first image in the full batch (keys the dropout masks). */
  first: number;
  /** Full batch size: gradients are of the batch-mean loss, so shares add up. */
  total: number;
  step: number;
}

export interface ShareResult {
  /** Sum (not mean) of the share's per-image losses. */
  lossSum: number;
  correct: number;
  /** BatchNorm statistics of the whole batch (pooled over the replicas), per BN layer: means then variances. */
  bnStats: Float32Array[];
}

/**
 * Images per forward pass in prediction. Speed is flat from 16 to 1,024 here (the convolutions dominate); 256
 * keeps cnn-strong's widest activation at 25 MB instead of 100 MB.
 */
export const PREDICT_CHUNK = 256;

export class Replica {
  #weights: Weights = new Map();
  /** The weights folded for prediction (BatchNorm into the kernels), built on first use after each load. */
  #folded: InferenceStep[] | null = null;

  constructor(readonly plan: ModelPlan, readonly seed: number) {}

  /** Replaces the weights with `flat` (the plan's layout). Copies: `flat` may be shared and change later. */
  loadWeights(flat: Float32Array): void {
    this.#dropFolded();
    for (const t of this.#weights.values()) t.dispose();
    this.#weights.clear();
    for (const p of this.plan.params) this.#weights.set(p.name, tf.tensor(flat.slice(p.offset, p.offset + p.size), p.shape));
  }

  /**
   * Forward + backward on one share; writes every trainable gradient into `gradsOut` (plan layout). `sync` joins
   * the other replicas of the batch at each BatchNorm layer; alone, the share is the whole batch.
   */
  trainShare(share: Share, gradsOut: Float32Array, sync: BatchSync = alone): ShareResult {
    const n = share.y.length;
    return tf.tidy(() => {
      const x = tf.tensor4d(share.x, [n, ...INPUT_SHAPE]);
      const fwd = forward(this.plan, this.#weights, x, 'train', { seed: this.seed, step: share.step, first: share.first }, sync);
      const logits = fwd.logits.dataSync() as Float32Array;
      const dlogits = new Float32Array(n * CLASSES);
      const { lossSum, correct } = softmaxCrossEntropy(logits, share.y, share.total, dlogits);
      const grads = new Map<string, tf.Tensor>();
      backward(this.plan, this.#weights, fwd, tf.tensor2d(dlogits, [n, CLASSES]), 'train', grads, false);
      for (const p of this.plan.params) {
        if (p.trainable) gradsOut.set(grads.get(p.name)!.dataSync() as Float32Array, p.offset);
      }
      return { lossSum, correct, bnStats: fwd.bnStats };
    });
  }

  /**
   * Each BatchNorm layer's statistics over `x` as one training batch (normalised by its own statistics, as in
   * training) with dropout off (as validation sees the images): means then biased variances per layer.
   */
  batchStats(x: Float32Array): Float32Array[] {
    const n = x.length / 784;
    return tf.tidy(() => forward(this.plan, this.#weights, tf.tensor4d(x, [n, ...INPUT_SHAPE]), 'train').bnStats);
  }

  /** The folded model of the current weights (built once per weight version). */
  #foldedSteps(): InferenceStep[] {
    if (!this.#folded) {
      const flat = new Float32Array(this.plan.size);
      for (const p of this.plan.params) flat.set(this.#weights.get(p.name)!.dataSync() as Float32Array, p.offset);
      this.#folded = foldInference(this.plan, flat);
    }
    return this.#folded;
  }

  #dropFolded(): void {
    if (this.#folded) disposeInference(this.#folded);
    this.#folded = null;
  }

  /**
   * n × 10 softmax probabilities in inference mode, through the folded model (`fold: false`: the layer-by-layer
   * forward pass the training code uses, which the folded one must match up to float rounding).
   */
  predict(x: Float32Array, { fold = true, chunk = PREDICT_CHUNK }: { fold?: boolean; chunk?: number } = {}): Float32Array {
    return this.#infer(x, fold, chunk, 0).probs;
  }

  /**
   * The activations that feed the last dense layer (the penultimate layer: LeNet's 84 units, cnn-strong's 128
   * after BatchNorm and ReLU), n × width, with the softmax probabilities of the same pass; inference mode, through
   * the folded model as prediction runs it.
   */
  features(x: Float32Array): { features: Float32Array; width: number; probs: Float32Array } {
    const last = this.plan.layers.findLastIndex((l) => l.spec.type === 'dense');
    const width = last < 0 ? 0 : this.plan.layers[last].inShape.reduce((a, b) => a * b, 1);
    if (width === 0) throw badInput('the model has no dense layer: there is no penultimate layer to embed');
    const { probs, features } = this.#infer(x, true, PREDICT_CHUNK, width);
    return { features, width, probs };
  }

  /** Chunk by chunk: softmax probabilities, and with `width` > 0 (folded only) the penultimate activations too. */
  #infer(x: Float32Array, fold: boolean, chunk: number, width: number): { probs: Float32Array; features: Float32Array } {
    const n = x.length / 784;
    const probs = new Float32Array(n * CLASSES);
    const features = new Float32Array(n * width);
    const steps = fold ? this.#foldedSteps() : null;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const logits = tf.tidy(() => {
        const xs = tf.tensor4d(x.subarray(start * 784, (start + count) * 784), [count, ...INPUT_SHAPE]);
        const keep = width > 0 ? (h: tf.Tensor2D) => features.set(h.dataSync() as Float32Array, start * width) : undefined;
        const out = steps ? inferLogits(steps, xs, keep) : forward(this.plan, this.#weights, xs, 'infer').logits;
        return out.dataSync() as Float32Array;
      });
      softmaxRows(logits, probs.subarray(start * CLASSES, (start + count) * CLASSES));
    }
    return { probs, features };
  }

  /** d p(cls) / d pixels for one image, inference mode. */
  saliency(x: Float32Array, cls: number): Float32Array {
    return tf.tidy(() => {
      const fwd = forward(this.plan, this.#weights, tf.tensor4d(x, [1, ...INPUT_SHAPE]), 'infer');
      const p = new Float32Array(CLASSES);
      softmaxRows(fwd.logits.dataSync() as Float32Array, p);
      // ∂p_c/∂z_k = p_c (δ_ck − p_k)
      const dz = p.map((pk, k) => p[cls] * ((k === cls ? 1 : 0) - pk));
      const dx = backward(this.plan, this.#weights, fwd, tf.tensor2d(dz, [1, CLASSES]), 'infer', null, true)!;
      return Float32Array.from(dx.dataSync());
    });
  }

  dispose(): void {
    this.#dropFolded();
    for (const t of this.#weights.values()) t.dispose();
    this.#weights.clear();
  }
}

export function softmaxRows(logits: Float32Array, out: Float32Array): void {
  for (let r = 0; r < logits.length; r += CLASSES) {
    let max = -Infinity;
    for (let k = 0; k < CLASSES; k++) max = Math.max(max, logits[r + k]);
    let sum = 0;
    for (let k = 0; k < CLASSES; k++) sum += Math.exp(logits[r + k] - max);
    for (let k = 0; k < CLASSES; k++) out[r + k] = Math.exp(logits[r + k] - max) / sum;
  }
}

/** Loss sum, argmax hits, and dL/dlogits of the mean over `total` images (softmax − one-hot) / total. */
function softmaxCrossEntropy(logits: Float32Array, y: Uint8Array, total: number, dlogits: Float32Array): { lossSum: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  softmaxRows(logits, dlogits);
  for (let i = 0; i < y.length; i++) {
    const r = i * CLASSES;
    let best = 0;
    for (let k = 1; k < CLASSES; k++) if (logits[r + k] > logits[r + best]) best = k;
    if (best === y[i]) correct++;
    // log-sum-exp in float64: exact even where the float32 probability underflows.
    let max = -Infinity;
    for (let k = 0; k < CLASSES; k++) max = Math.max(max, logits[r + k]);
    let sum = 0;
    for (let k = 0; k < CLASSES; k++) sum += Math.exp(logits[r + k] - max);
    lossSum += max + Math.log(sum) - logits[r + y[i]];
    dlogits[r + y[i]] -= 1;
    for (let k = 0; k < CLASSES; k++) dlogits[r + k] /= total;
  }
  return { lossSum, correct };
}
