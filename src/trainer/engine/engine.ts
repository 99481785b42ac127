// The Engine: master weights and optimizer on this thread, gradients from one in-process replica plus optional
// worker replicas (data parallel: each takes a share of the batch, shares add up to the batch-mean gradient).

import { PIXELS } from '../../shared/digits.js';
import { badInput } from '../../shared/errors.js';
import type { KernelInfo } from '../../shared/trainer-protocol.js';
import type { LayerSpec, ModelSummary } from '../../shared/model-spec.js';
import { useBackend } from './backend.js';
import { setNativeThreads } from './native/backend.js';
import { isAbort, type BatchExchange } from './batch-exchange.js';
import { exportArtifacts } from './export.js';
import { CLASSES, summarize, type ModelPlan } from './model.js';
import { setPopulationStats, updateMovingStats, type BnStats } from './bn-stats.js';
import { Optimizer } from './optimizer.js';
import { Replica, type ShareResult } from './replica.js';
import type { BackendName, BatchResult, Engine, EngineState, EvalResult, ModelArtifacts } from './types.js';
import type { EngineWorker } from './worker-pool.js';

/** Below this many images a prediction is not worth splitting across threads. */
const PARALLEL_PREDICT_MIN = 2048;
/** Features are asked for in chunks of 512 (the embedding map's progress steps): split from there, 256 a thread. */
const PARALLEL_FEATURES_MIN = 512;

export interface EngineParts {
  plan: ModelPlan;
  layers: LayerSpec[];
  seed: number;
  /** What the moving-statistics slots hold (bn-stats.ts). */
  bnStats: BnStats;
  backend: BackendName;
  backendNote: string | null;
  kernels: KernelInfo | null;
  weights: Float32Array;
  optimizer: Optimizer;
  local: Replica;
  workers: EngineWorker[];
  /** Where the replicas meet at BatchNorm layers; null with a single replica. */
  exchange: BatchExchange | null;
}

function checkImages(x: Float32Array, what: string): number {
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % PIXELS !== 0) {
    throw badInput(`${what}: x must be a non-empty Float32Array of n × 784 pixels`);
  }
  return x.length / PIXELS;
}

export class TfEngine implements Engine {
  readonly backend: BackendName;
  readonly backendNote: string | null;
  readonly workers: number;
  readonly kernels: KernelInfo | null;
  readonly #p: EngineParts;
  readonly #grads: Float32Array;
  #step = 0;
  /** Bumped on every weight change; replicas reload when theirs is older. */
  #version = 0;
  #localVersion = 0;

  constructor(parts: EngineParts) {
    this.#p = parts;
    this.backend = parts.backend;
    this.backendNote = parts.backendNote;
    this.workers = parts.workers.length + 1;
    this.kernels = parts.kernels;
    this.#grads = new Float32Array(parts.plan.size);
  }

  /**
   * Makes this engine's backend active and, on the native kernels, its thread count: both are per thread, and other
   * engines in this process (tests, benchmarks, prediction beside training) may have set theirs since.
   */
  async #activate(): Promise<void> {
    await useBackend(this.backend);
    if (this.kernels) setNativeThreads(this.kernels.threads);
  }

  summary(): ModelSummary {
    return summarize(this.#p.plan);
  }

  #syncLocal(): void {
    if (this.#localVersion !== this.#version) {
      this.#p.local.loadWeights(this.#p.weights);
      this.#localVersion = this.#version;
    }
  }

  async trainBatch(x: Float32Array, y: Uint8Array): Promise<BatchResult> {
    const n = checkImages(x, 'trainBatch');
    if (!(y instanceof Uint8Array) || y.length !== n || y.some((v) => v >= CLASSES)) throw badInput('trainBatch: y must hold one label 0–9 per image');
    await this.#activate();
    const { workers, local, optimizer, weights, exchange } = this.#p;
    const replicas = Math.min(workers.length + 1, n);
    // The engine's replica would wait for a dead worker at the first BatchNorm layer.
    const gone = workers.slice(0, replicas - 1).find((w) => w.failure)?.failure;
    if (gone) throw gone;
    const bounds = Array.from({ length: replicas + 1 }, (_, i) => Math.round((i * n) / replicas));
    const share = (i: number) => ({
      x: x.subarray(bounds[i] * PIXELS, bounds[i + 1] * PIXELS),
      y: y.subarray(bounds[i], bounds[i + 1]),
      first: bounds[i],
      total: n,
      step: this.#step,
    });
    exchange?.begin(replicas);
    const remote = workers.slice(0, replicas - 1).map((w, i) => w.train({ type: 'train', version: this.#version, rank: i + 1, ...share(i + 1) }));
    const results: ShareResult[] = [];
    try {
      this.#syncLocal();
      results.push(local.trainShare(share(0), this.#grads, exchange ? (v) => exchange.gather(0, v) : undefined));
    } catch (err) {
      exchange?.abort();
      // No worker may still be inside this step when the next begins; a worker's own error explains more than
      // the abort it caused here.
      const settled = await Promise.allSettled(remote);
      const cause = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      throw isAbort(err) && cause ? cause.reason : err;
    }
    results.push(...(await Promise.all(remote)));
    // A fixed summation order keeps runs bit-for-bit reproducible for a given worker count. The last replica's
    // gradient is added by the optimizer, in the same pass as its update.
    for (let r = 1; r < replicas - 1; r++) {
      const g = workers[r - 1].grads;
      for (let i = 0; i < g.length; i++) this.#grads[i] += g[i];
    }
    this.#updateMovingStats(results[0]);
    optimizer.apply(weights, this.#grads, replicas > 1 ? workers[replicas - 2].grads : undefined);
    this.#step++;
    this.#version++;
    const lossSum = results.reduce((a, r) => a + r.lossSum, 0);
    return { loss: lossSum / n, correct: results.reduce((a, r) => a + r.correct, 0) };
  }

  /**
   * The moving statistics after a step, by the run's BatchNorm statistics option (bn-stats.ts). Batch variances are
   * biased (÷ m, what the batch was normalised with), as Keras 3, tfjs-layers and tf.keras 2's non-fused path use
   * (tf.keras 2's fused conv path used ÷ (m − 1): 1/m apart, m ≥ 3,136 in cnn-strong). Every replica holds the
   * same pooled whole-batch statistics.
   */
  #updateMovingStats(result: ShareResult): void {
    updateMovingStats(this.#p.plan, this.#p.weights, result.bnStats, this.#p.bnStats, this.#step + 1);
  }

  async recomputeBatchNormStats(x: Float32Array, batchSize: number): Promise<void> {
    const n = checkImages(x, 'recomputeBatchNormStats');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw badInput('recomputeBatchNormStats: batchSize must be a positive integer');
    if (this.#p.plan.bnChannels.length === 0) return;
    await this.#activate();
    this.#syncLocal();
    // On this thread's replica alone, each batch whole: the figures do not depend on the number of workers.
    const batches: Float32Array[][] = [];
    const counts: number[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const part = x.subarray(start * PIXELS, Math.min(n, start + batchSize) * PIXELS);
      batches.push(this.#p.local.batchStats(part));
      counts.push(part.length / PIXELS);
    }
    setPopulationStats(this.#p.plan, this.#p.weights, batches, counts);
    this.#version++;
  }

  /**
   * Inference over `x` split in contiguous parts, one per replica (this thread's the first), from `min` images; each
   * part's result in order, with the image it starts at.
   */
  async #inParts<T>(
    x: Float32Array, what: string, min: number, local: (part: Float32Array) => T, remote: (w: EngineWorker, part: Float32Array) => Promise<T>,
  ): Promise<{ first: number; result: T }[]> {
    const n = checkImages(x, what);
    await this.#activate();
    const { workers } = this.#p;
    const parts = n >= min ? workers.length + 1 : 1;
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * n) / parts));
    const pending = workers.slice(0, parts - 1).map((w, i) => remote(w, x.slice(bounds[i + 1] * PIXELS, bounds[i + 2] * PIXELS)));
    this.#syncLocal();
    const first = local(x.subarray(0, bounds[1] * PIXELS));
    return [first, ...(await Promise.all(pending))].map((result, i) => ({ first: bounds[i], result }));
  }

  async predict(x: Float32Array): Promise<Float32Array> {
    const version = this.#version;
    const parts = await this.#inParts(x, 'predict', PARALLEL_PREDICT_MIN, (part) => this.#p.local.predict(part), (w, part) => w.predict({ type: 'predict', version, x: part }));
    if (parts.length === 1) return parts[0].result;
    const probs = new Float32Array((x.length / PIXELS) * CLASSES);
    for (const { first, result } of parts) probs.set(result, first * CLASSES);
    return probs;
  }

  async evaluate(x: Float32Array, y: Uint8Array): Promise<EvalResult> {
    const probs = await this.predict(x);
    if (!(y instanceof Uint8Array) || y.length * CLASSES !== probs.length) throw badInput('evaluate: y must hold one label per image');
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < y.length; i++) {
      const row = probs.subarray(i * CLASSES, (i + 1) * CLASSES);
      let best = 0;
      for (let k = 1; k < CLASSES; k++) if (row[k] > row[best]) best = k;
      if (best === y[i]) correct++;
      // Keras clips probabilities to [ε, 1 − ε] before the log.
      loss -= Math.log(Math.min(Math.max(row[y[i]], 1e-7), 1 - 1e-7));
    }
    return { loss: loss / y.length, correct, probs };
  }

  async features(x: Float32Array): Promise<{ features: Float32Array; width: number; probs: Float32Array }> {
    const version = this.#version;
    const parts = await this.#inParts(x, 'features', PARALLEL_FEATURES_MIN, (part) => this.#p.local.features(part), (w, part) => w.features({ type: 'predict', version, x: part }));
    if (parts.length === 1) return parts[0].result;
    const { width } = parts[0].result;
    const n = x.length / PIXELS;
    const out = { features: new Float32Array(n * width), width, probs: new Float32Array(n * CLASSES) };
    for (const { first, result } of parts) {
      out.features.set(result.features, first * width);
      out.probs.set(result.probs, first * CLASSES);
    }
    return out;
  }

  async saliency(x: Float32Array, cls: number): Promise<Float32Array> {
    if (checkImages(x, 'saliency') !== 1) throw badInput('saliency: x must be one image of 784 pixels');
    if (!Number.isInteger(cls) || cls < 0 || cls >= CLASSES) throw badInput('saliency: cls must be a class 0–9');
    await this.#activate();
    this.#syncLocal();
    return this.#p.local.saliency(x, cls);
  }

  setLearningRate(lr: number): void {
    if (!(lr > 0 && Number.isFinite(lr))) throw badInput('The learning rate must be a positive number');
    this.#p.optimizer.learningRate = lr;
  }

  getLearningRate(): number {
    return this.#p.optimizer.learningRate;
  }

  async saveState(): Promise<EngineState> {
    return {
      weights: new Uint8Array(this.#p.weights.slice().buffer),
      optimizer: this.#p.optimizer.serialize(),
      step: this.#step,
      learningRate: this.#p.optimizer.learningRate,
    };
  }

  async loadState(state: EngineState): Promise<void> {
    const { weights, optimizer } = this.#p;
    if (state.weights.byteLength !== weights.byteLength) {
      throw badInput(`Saved weights have ${state.weights.byteLength / 4} values, this model has ${weights.length}`);
    }
    if (!Number.isInteger(state.step) || state.step < 0) throw badInput('Saved state has an invalid step');
    optimizer.restore(state.optimizer);
    weights.set(new Float32Array(new Uint8Array(state.weights).buffer));
    this.setLearningRate(state.learningRate);
    this.#step = state.step;
    this.#version++;
  }

  async exportArtifacts(): Promise<ModelArtifacts> {
    await this.#activate();
    return exportArtifacts(this.#p.plan, this.#p.weights);
  }

  async dispose(): Promise<void> {
    this.#p.local.dispose();
    await Promise.all(this.#p.workers.map((w) => w.terminate()));
  }
}
