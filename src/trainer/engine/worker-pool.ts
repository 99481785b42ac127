// The engine's side of its worker threads: starts them, sends batch shares, matches replies to requests,
// and fails every pending call if a worker dies.

import { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../../shared/errors.js';
import type { LayerSpec } from '../../shared/model-spec.js';
import type { ExchangeLayout } from './batch-exchange.js';
import { builtFile } from './built-file.js';
import type { PredictRequest, TrainRequest, WorkerReply } from './protocol.js';
import type { BackendName } from './types.js';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };
type Body<T> = T extends { id: number } ? Omit<T, 'id'> : never;

export class EngineWorker {
  readonly grads: Float32Array;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #dead: Error | null = null;

  private constructor(worker: Worker, grads: SharedArrayBuffer) {
    this.#worker = worker;
    this.grads = new Float32Array(grads);
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.type === 'error') pending.reject(new WorkbenchError('trainer', `Engine worker: ${reply.message}`));
      else pending.resolve(reply);
    });
    const fail = (err: Error) => {
      this.#dead = err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) => fail(new WorkbenchError('trainer', `Engine worker crashed: ${err.message}`)));
    worker.on('exit', (code) => fail(new WorkbenchError('trainer', `Engine worker exited (code ${code})`)));
  }

  /** Why the worker is gone (it crashed, exited or was terminated); null while it runs. */
  get failure(): Error | null {
    return this.#dead;
  }

  static async start(opts: {
    layers: LayerSpec[]; seed: number; backend: BackendName; weights: SharedArrayBuffer; size: number; exchange: ExchangeLayout; threads: number;
  }): Promise<EngineWorker> {
    const grads = new SharedArrayBuffer(opts.size * 4);
    const worker = new Worker(builtFile('worker.js', 'Engine worker'));
    const client = new EngineWorker(worker, grads);
    // Referenced only while a request is pending: an idle engine must not keep the process alive.
    const ready = new Promise<WorkerReply>((resolve, reject) => client.#pending.set(0, { resolve, reject }));
    worker.postMessage({ type: 'init', layers: opts.layers, seed: opts.seed, backend: opts.backend, weights: opts.weights, grads, exchange: opts.exchange, threads: opts.threads });
    await ready;
    return client;
  }

  #call(body: Body<TrainRequest> | Body<PredictRequest>): Promise<WorkerReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ ...body, id });
    });
  }

  async train(req: Body<TrainRequest>): Promise<Extract<WorkerReply, { type: 'trained' }>> {
    return (await this.#call(req)) as Extract<WorkerReply, { type: 'trained' }>;
  }

  async predict(req: Body<PredictRequest>): Promise<Float32Array> {
    return ((await this.#call(req)) as Extract<WorkerReply, { type: 'predicted' }>).probs;
  }

  async features(req: Body<PredictRequest>): Promise<{ features: Float32Array; width: number; probs: Float32Array }> {
    const r = (await this.#call({ ...req, features: true })) as Extract<WorkerReply, { type: 'predicted' }>;
    return { features: r.features!, width: r.width!, probs: r.probs };
  }

  async terminate(): Promise<void> {
    this.#dead ??= new WorkbenchError('trainer', 'Engine disposed');
    await this.#worker.terminate();
  }
}
