// The trainer protocol: typed messages between the core's supervisor and a trainer process (Electron utility
// process or Node child process). The trainer streams events; the core persists them and owns the truth.

import type { ErrorData } from './errors.js';
import type { EpochMetrics, RunProgress } from './runs.js';
import type { LayerSpec, ModelSummary } from './model-spec.js';
import type { Hyperparams } from './hyperparams.js';

export type WeightsSlot = 'best' | 'last';

/**
 * The backends, in the order `auto` tries them: native (the project's oneDNN kernel set, native/), tensorflow
 * (tfjs-node), wasm (tfjs's wasm backend with the project's SIMD kernels), cpu (plain JavaScript, a last resort).
 */
export const BACKEND_NAMES = ['native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

/** The native kernel library a run trains with, as the run's lineage records it. */
export interface KernelInfo {
  library: string;
  version: string;
  /** The instruction set its kernels run with, e.g. "AVX2" or "AVX-512-BF16": results differ between them. */
  isa: string;
  threads: number;
}

/** Which backends load in a trainer process, and why not (tfjs-node's missing native library, say). */
export interface BackendAvailability {
  name: BackendChoice;
  available: boolean;
  reason: string | null;
  /** For the native backend where it loads: its library, version and instruction set here. */
  kernels?: KernelInfo | null;
}

/** A checkpoint as stored: engine state (weights, optimizer slots, step) plus the loop's state. */
export interface CheckpointData {
  epoch: number;
  weights: Uint8Array;
  optimizer: Uint8Array;
  state: LoopState;
}

export type TrainerRequest =
  | {
      type: 'train';
      runId: number;
      hyperparams: Hyperparams;
      /** The whole dataset (rows × 784 bytes) with its labels; the split is given as row indices. */
      pixels: Uint8Array;
      labels: Uint8Array;
      trainIndices: Int32Array;
      valIndices: Int32Array;
      /** Continue from these checkpoints (resume); null for a fresh run. */
      resume: { last: CheckpointData; best: CheckpointData | null } | null;
      backend: BackendChoice | null;
      workers: number | null;
      /** The most cores the run's threads may use (a pool worker's --threads); null: all of the machine's. */
      threads?: number | null;
    }
  | { type: 'stop'; runId: number }
  | {
      type: 'predict';
      requestId: number;
      model: LayerSpec[];
      checkpoint: CheckpointData;
      pixels: Uint8Array;
      tta: boolean;
      /** TTA shift in pixels (default 1); 0 makes every view the plain image. */
      ttaShift?: number;
      backend: BackendChoice | null;
    }
  | { type: 'explain'; requestId: number; model: LayerSpec[]; checkpoint: CheckpointData; pixels: Uint8Array; cls: number | null; backend: BackendChoice | null }
  | { type: 'export'; requestId: number; model: LayerSpec[]; checkpoint: CheckpointData; backend: BackendChoice | null }
  | { type: 'backends'; requestId: number }
  /** The learning-rate range test on the run's model and training images (progress as predict-progress). */
  | {
      type: 'lr-find';
      requestId: number;
      hyperparams: Hyperparams;
      pixels: Uint8Array;
      labels: Uint8Array;
      trainIndices: Int32Array;
      steps: number;
      backend: BackendChoice | null;
    }
  /**
   * The embedding map: the penultimate layer's activations of `pixels` (the validation digits) laid out in 2-D by
   * a UMAP seeded with `seed` (progress as predict-progress with a stage).
   */
  | {
      type: 'embed';
      requestId: number;
      model: LayerSpec[];
      checkpoint: CheckpointData;
      pixels: Uint8Array;
      neighbors: number;
      seed: number;
      backend: BackendChoice | null;
    };

/** Serializable state of the callbacks and schedule, stored with every checkpoint. */
export interface LoopState {
  epoch: number; // completed epochs
  learningRate: number;
  step: number;
  plateau: { best: number | null; wait: number } | null;
  early: { best: number | null; wait: number; bestEpoch: number } | null;
  best: { epoch: number; valAcc: number; valLoss: number } | null;
  stopReason: 'early-stopping' | null;
}

export type TrainerEvent =
  | {
      type: 'started';
      runId: number;
      backend: string;
      backendNote: string | null;
      workers: number;
      /** The native backend's kernel library and instruction set; null on the others. */
      kernels?: KernelInfo | null;
      summary: ModelSummary;
      resumedFrom: number;
      /** The pool worker training it (absent: a trainer process of the owner). */
      worker?: string;
    }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'epoch'; runId: number; metrics: EpochMetrics }
  | {
      /** An epoch completed: the core stores its metrics (when given) and the checkpoint slots in one transaction. */
      type: 'checkpoint';
      runId: number;
      metrics: EpochMetrics | null;
      slots: WeightsSlot[];
      checkpoint: CheckpointData;
      /** The pool worker that trained this epoch (absent: a trainer process of the owner). */
      worker?: string;
    }
  | { type: 'result'; runId: number; epoch: number; indices: Int32Array; probs: Float32Array }
  | { type: 'done'; runId: number; outcome: 'completed' | 'stopped'; reason: string }
  | { type: 'predicted'; requestId: number; probs: Float32Array }
  | { type: 'explained'; requestId: number; cls: number; probs: Float32Array; saliency: Float32Array }
  | { type: 'exported'; requestId: number; modelTopology: object; weightSpecs: { name: string; shape: number[]; dtype: 'float32' }[]; weightData: ArrayBuffer }
  | { type: 'backends'; requestId: number; backends: BackendAvailability[] }
  | { type: 'lr-found'; requestId: number; backend: string; points: { lr: number; loss: number }[]; steepest: number | null; minOver10: number | null }
  /** n × 2 coordinates and the n × 10 probabilities of the same forward pass. */
  | { type: 'embedded'; requestId: number; backend: string; coords: Float32Array; probs: Float32Array; width: number }
  /** Per-batch progress of a long prediction (28,000 test images), or a stage of a longer job (embed). */
  | { type: 'predict-progress'; requestId: number; done: number; total: number; stage?: string }
  | { type: 'error'; runId?: number; requestId?: number; error: ErrorData }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };
