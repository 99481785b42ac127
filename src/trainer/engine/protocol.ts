// Messages between the engine and its data-parallel worker threads. Weights and gradients live in
// SharedArrayBuffers; messages carry only the batch share and small results.

import type { LayerSpec } from '../../shared/model-spec.js';
import type { ExchangeLayout } from './batch-exchange.js';
import type { BackendName } from './types.js';

export interface InitRequest {
  type: 'init';
  layers: LayerSpec[];
  seed: number;
  backend: BackendName;
  /** The engine's master weights (plan layout), rewritten after every optimizer step. */
  weights: SharedArrayBuffer;
  /** This worker's gradient output (plan layout). */
  grads: SharedArrayBuffer;
  /** Where the replicas of a batch meet at each BatchNorm layer. */
  exchange: ExchangeLayout;
  /** Threads of this replica's native kernels (the process's budget shared out between replicas). */
  threads: number;
}

export interface TrainRequest {
  type: 'train';
  id: number;
  /** Bumped whenever the master weights change; a worker reloads its tensors when it differs. */
  version: number;
  x: Float32Array;
  y: Uint8Array;
  /** This replica's place at the BatchNorm exchange (the engine's own replica is 0). */
  rank: number;
  first: number;
  total: number;
  step: number;
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  version: number;
  x: Float32Array;
  /** Also the penultimate layer's activations (the embedding map's input). */
  features?: boolean;
}

export type WorkerRequest = InitRequest | TrainRequest | PredictRequest;

export type WorkerReply =
  | { type: 'ready'; id: 0 }
  | { type: 'trained'; id: number; lossSum: number; correct: number; bnStats: Float32Array[] }
  | { type: 'predicted'; id: number; probs: Float32Array; features?: Float32Array; width?: number }
  | { type: 'error'; id: number; message: string };
