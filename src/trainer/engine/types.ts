// The training engine's interface: the trainer loop (epochs, callbacks, checkpoints) drives it batch by batch.
// Everything here is plain typed arrays so that an engine may run its work on worker threads.

import type { LayerSpec, ModelSummary, OptimizerSpec } from '../../shared/model-spec.js';

import type { BackendChoice, KernelInfo } from '../../shared/trainer-protocol.js';
import type { BnStats } from '../../shared/hyperparam-choices.js';

export type BackendName = BackendChoice;

export interface EngineOptions {
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  /** Seeds weight initialisation and dropout masks. */
  seed: number;
  /** What BatchNorm layers normalise with at inference (default keras: Keras's moving averages). */
  batchNormStats?: BnStats;
  /** Forced backend; otherwise tensorflow (tfjs-node) → wasm → cpu, the first that loads. */
  backend?: BackendName;
  /** Data-parallel replicas for one run; default chosen by the engine from the thread budget. */
  workers?: number;
  /**
   * The thread budget: the most cores the engine's threads use, replicas × the native kernels' threads per replica
   * (default: all of the machine's cores). A pool worker's --threads sets it.
   */
  threads?: number;
}

export interface BatchResult {
  /** Mean sparse categorical cross-entropy over the batch. */
  loss: number;
  /** Images in the batch whose argmax equals the label. */
  correct: number;
}

export interface EvalResult {
  /** Mean loss over all images. */
  loss: number;
  correct: number;
  /** n × 10 softmax probabilities. */
  probs: Float32Array;
}

/** Everything needed to continue training bit-for-bit: weights, optimizer slots, the dropout random stream. */
export interface EngineState {
  weights: Uint8Array;
  optimizer: Uint8Array;
  step: number;
  learningRate: number;
}

/** tfjs `io.ModelArtifacts` essentials, enough for `tf.loadLayersModel` after saving as model.json + weights.bin. */
export interface ModelArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[];
  weightData: ArrayBuffer;
}

export interface Engine {
  readonly backend: BackendName;
  /** Why a preferred backend did not load (e.g. tfjs-node's native library missing); null when it did. */
  readonly backendNote: string | null;
  readonly workers: number;
  /** The native kernel library, its instruction set and threads per replica; null on other backends. */
  readonly kernels: KernelInfo | null;
  summary(): ModelSummary;
  /** One optimizer step. x: n × 784 pixels scaled to 0–1; y: n labels 0–9. */
  trainBatch(x: Float32Array, y: Uint8Array): Promise<BatchResult>;
  /**
   * Replaces the BatchNorm inference statistics with the population mean and variance of `x` (n × 784) passed in
   * training mode in batches of `batchSize`, dropout off; the other weights are untouched. No-op without BatchNorm.
   */
  recomputeBatchNormStats(x: Float32Array, batchSize: number): Promise<void>;
  /** Inference mode (dropout off, BatchNorm moving statistics). */
  evaluate(x: Float32Array, y: Uint8Array): Promise<EvalResult>;
  predict(x: Float32Array): Promise<Float32Array>;
  /** Inference mode: the activations feeding the last dense layer (n × width) and the probabilities (n × 10). */
  features(x: Float32Array): Promise<{ features: Float32Array; width: number; probs: Float32Array }>;
  /** d(probability of `cls`)/d(pixels) for one image: 784 values. */
  saliency(x: Float32Array, cls: number): Promise<Float32Array>;
  setLearningRate(lr: number): void;
  getLearningRate(): number;
  saveState(): Promise<EngineState>;
  loadState(state: EngineState): Promise<void>;
  exportArtifacts(): Promise<ModelArtifacts>;
  dispose(): Promise<void>;
}
