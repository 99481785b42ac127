// Adam, SGD (momentum) and RMSprop as plain loops over the flat weight array, with Keras' update rules and
// defaults. One update per batch on the main thread keeps data-parallel replicas identical and the state portable.

import { badInput } from '../../shared/errors.js';
import type { OptimizerSpec } from '../../shared/model-spec.js';
import type { ModelPlan } from './model.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const RHO = 0.9;
/** Keras' backend epsilon, also tfjs's default for these optimizers. */
const EPSILON = 1e-7;

export class Optimizer {
  readonly name: OptimizerSpec['name'];
  learningRate: number;
  readonly momentum: number;
  /** Updates done so far (Adam's bias correction). */
  iterations = 0;
  /** Adam: m, v. SGD: velocity. RMSprop: mean square. Each the plan's length. */
  readonly slots: Float32Array[];
  readonly #ranges: [number, number][];

  constructor(spec: OptimizerSpec, plan: ModelPlan) {
    if (!['adam', 'sgd', 'rmsprop'].includes(spec?.name)) throw badInput(`Unknown optimizer "${String(spec?.name)}"`);
    if (!(spec.learningRate > 0 && Number.isFinite(spec.learningRate))) throw badInput('The learning rate must be a positive number');
    this.name = spec.name;
    this.learningRate = spec.learningRate;
    this.momentum = spec.momentum ?? 0;
    const count = spec.name === 'adam' ? 2 : 1;
    this.slots = Array.from({ length: count }, () => new Float32Array(plan.size));
    // Moving statistics are not trained: skip their ranges.
    this.#ranges = plan.params.filter((p) => p.trainable).map((p) => [p.offset, p.offset + p.size]);
  }

  apply(w: Float32Array, g: Float32Array): void {
    this.iterations++;
    const lr = this.learningRate;
    if (this.name === 'adam') {
      const [m, v] = this.slots;
      const t = this.iterations;
      const step = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      for (const [from, to] of this.#ranges) {
        for (let i = from; i < to; i++) {
          const gi = g[i];
          m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
          v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
          w[i] -= (step * m[i]) / (Math.sqrt(v[i]) + EPSILON);
        }
      }
    } else if (this.name === 'sgd') {
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
