// Messages between the engine and its data-parallel worker threads. Weights and gradients live in
// SharedArrayBuffers; batch shares travel through a Channel (channel.ts), messages carry the rest.

import type { LayerSpec } from '../../shared/model-spec.js';
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
}

/** A new share channel (the first, or a bigger one); the worker serves shares from it from then on. */
export interface ChannelRequest {
  type: 'channel';
  buffer: SharedArrayBuffer;
  capacity: number;
  statsLength: number;
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  version: number;
  x: Float32Array;
}

export type WorkerRequest = InitRequest | ChannelRequest | PredictRequest;

export type WorkerReply =
  | { type: 'ready'; id: 0 }
  | { type: 'predicted'; id: number; probs: Float32Array }
  | { type: 'error'; id: number; message: string };
