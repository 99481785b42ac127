// Adam (a wasm SIMD kernel), SGD with momentum and RMSprop (plain loops) over the flat weight array, with
// Keras' update rules and defaults. One update per batch on the main thread keeps data-parallel replicas identical
// and the state portable.

import { badInput } from '../../shared/errors.js';
import type { OptimizerSpec } from '../../shared/model-spec.js';
import type { ModelPlan } from './model.js';
import { privateKernels, type SimdKernels } from './wasm-simd.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const RHO = 0.9;
/** Keras' backend epsilon, also tfjs's default for these optimizers. */
const EPSILON = 1e-7;

/** Adam's working set in wasm memory: the SIMD kernel updates it in place; slots m and v live there for good. */
interface AdamHeap {
  kernels: SimdKernels;
  w: Float32Array;
  g: Float32Array;
  g2: Float32Array;
  /** Byte addresses of w, g, g2, m, v. */
  at: [number, number, number, number, number];
  g2Dirty: boolean;
}

export class Optimizer {
  readonly name: OptimizerSpec['name'];
  learningRate: number;
  readonly momentum: number;
  /** Updates done so far (Adam's bias correction). */
  iterations = 0;
  /** Adam: m, v. SGD: velocity. RMSprop: mean square. Each the plan's length. */
  readonly slots: Float32Array[];
  readonly #ranges: [number, number][];
  readonly #adam: AdamHeap | null = null;

  constructor(spec: OptimizerSpec, plan: ModelPlan) {
    if (!['adam', 'sgd', 'rmsprop'].includes(spec?.name)) throw badInput(`Unknown optimizer "${String(spec?.name)}"`);
    if (!(spec.learningRate > 0 && Number.isFinite(spec.learningRate))) throw badInput('The learning rate must be a positive number');
    this.name = spec.name;
    this.learningRate = spec.learningRate;
    this.momentum = spec.momentum ?? 0;
    // Moving statistics are not trained: skip their ranges (adjacent ones merged).
    this.#ranges = [];
    for (const p of plan.params.filter((q) => q.trainable)) {
      const last = this.#ranges[this.#ranges.length - 1];
      if (last && last[1] === p.offset) last[1] = p.offset + p.size;
      else this.#ranges.push([p.offset, p.offset + p.size]);
    }
    if (spec.name === 'adam') {
      // w, g, g2, m, v, each padded to whole SIMD vectors.
      const stride = Math.ceil(plan.size / 4) * 16;
      const { kernels, buffer } = privateKernels(5 * stride);
      const region = (i: number) => new Float32Array(buffer, i * stride, plan.size);
      this.#adam = { kernels, w: region(0), g: region(1), g2: region(2), at: [0, stride, 2 * stride, 3 * stride, 4 * stride], g2Dirty: false };
      this.slots = [region(3), region(4)];
    } else {
      this.slots = [new Float32Array(plan.size)];
    }
  }

  /** One update of `w` by the gradient `g`, plus `g2` when given (a second replica's share of the batch). */
  apply(w: Float32Array, g: Float32Array, g2?: Float32Array): void {
    this.iterations++;
    const lr = this.learningRate;
    const heap = this.#adam;
    if (heap) {
      const t = this.iterations;
      const step = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      heap.w.set(w);
      heap.g.set(g);
      if (g2) heap.g2.set(g2);
      else if (heap.g2Dirty) heap.g2.fill(0);
      heap.g2Dirty = g2 !== undefined;
      const [wA, gA, g2A, mA, vA] = heap.at;
      for (const [from, to] of this.#ranges) heap.kernels.adam(wA, gA, g2A, mA, vA, from, to, BETA1, BETA2, step, EPSILON);
      w.set(heap.w);
      return;
    }
    if (g2) for (let i = 0; i < g.length; i++) g[i] += g2[i];
    if (this.name === 'sgd') {
      const [vel] = this.slots;
      const mu = this.momentum;
      for (const [from, to] of this.#ranges) {
        for (let i = from; i < to; i++) {
          if (mu === 0) {
            w[i] -= lr * g[i];
          } else {
            vel[i] = mu * vel[i] - lr * g[i];
            w[i] += vel[i];
          }
        }
      }
    } else {
      const [ms] = this.slots;
      for (const [from, to] of this.#ranges) {
        for (let i = from; i < to; i++) {
          ms[i] = RHO * ms[i] + (1 - RHO) * g[i] * g[i];
          w[i] -= (lr * g[i]) / (Math.sqrt(ms[i]) + EPSILON);
        }
      }
    }
  }

  /** iterations (float64) followed by the slots. */
  serialize(): Uint8Array {
    const size = this.slots.length ? this.slots[0].length : 0;
    const out = new Float64Array(1 + Math.ceil((this.slots.length * size) / 2));
    out[0] = this.iterations;
    const body = new Float32Array(out.buffer, 8, this.slots.length * size);
    this.slots.forEach((s, i) => body.set(s, i * size));
    return new Uint8Array(out.buffer);
  }

  restore(bytes: Uint8Array): void {
    const size = this.slots[0].length;
    const expected = 8 + Math.ceil((this.slots.length * size) / 2) * 8;
    if (bytes.byteLength !== expected) throw badInput(`Optimizer state has ${bytes.byteLength} bytes, expected ${expected} (another model or optimizer?)`);
    const copy = new Uint8Array(bytes);
    this.iterations = new Float64Array(copy.buffer, 0, 1)[0];
    const body = new Float32Array(copy.buffer, 8, this.slots.length * size);
    this.slots.forEach((s, i) => s.set(body.subarray(i * size, (i + 1) * size)));
  }
}
