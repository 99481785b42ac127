// The engine's side of its worker threads: starts them, posts batch shares through a Channel, matches message
// replies to requests, and fails every pending call if a worker dies.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../../shared/errors.js';
import type { LayerSpec } from '../../shared/model-spec.js';
import { Channel, DONE, SEQ, WAKE } from './channel.js';
import type { PredictRequest, WorkerReply } from './protocol.js';
import type { Share, ShareResult } from './replica.js';
import type { BackendName } from './types.js';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (err: Error) => void };
type WaitAsync = (
  array: Int32Array, index: number, value: number, timeout?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
/** How often a wait for a share checks whether the worker died. */
const DEATH_CHECK_MS = 500;
/** Atomics.waitAsync (ES2024; the ES2023 lib has no type for it). */
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
type Body<T> = T extends { id: number } ? Omit<T, 'id'> : never;

/** The compiled worker next to this file; under vitest (sources run as .ts) the build/node copy of it. */
function workerFile(): URL {
  const here = new URL('./worker.js', import.meta.url);
  const url = import.meta.url.endsWith('.ts')
    ? new URL(here.href.replace('/src/trainer/engine/', '/build/node/trainer/engine/'))
    : here;
  if (!existsSync(fileURLToPath(url))) {
    throw new WorkbenchError('trainer', `Engine worker ${fileURLToPath(url)} is missing: run npm run build:node`);
  }
  return url;
}

export class EngineWorker {
  readonly grads: Float32Array;
  readonly #worker: Worker;
  readonly #bnChannels: number[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #dead: Error | null = null;
  #channel: Channel | null = null;
  /** Shares posted on the current channel. */
  #seq = 0;
  #sharing = false;

  private constructor(worker: Worker, grads: SharedArrayBuffer, bnChannels: number[]) {
    this.#worker = worker;
    this.grads = new Float32Array(grads);
    this.#bnChannels = bnChannels;

    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      this.#unrefWhenIdle();
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

  static async start(opts: {
    layers: LayerSpec[]; seed: number; backend: BackendName; weights: SharedArrayBuffer; size: number; bnChannels: number[];
  }): Promise<EngineWorker> {
    const grads = new SharedArrayBuffer(opts.size * 4);
    const worker = new Worker(workerFile());
    const client = new EngineWorker(worker, grads, opts.bnChannels);
    // Referenced only while a request is pending: an idle engine must not keep the process alive.
    const ready = new Promise<WorkerReply>((resolve, reject) => client.#pending.set(0, { resolve, reject }));
    worker.postMessage({ type: 'init', layers: opts.layers, seed: opts.seed, backend: opts.backend, weights: opts.weights, grads });
    await ready;
    return client;
  }

  /** Referenced only while a request or share is out: an idle engine must not keep the process alive. */
  #unrefWhenIdle(): void {
    if (this.#pending.size === 0 && !this.#sharing) this.#worker.unref();
  }

  /** Makes a worker waiting on the channel return to its event loop, where the message just posted waits. */
  #wake(): void {
    if (!this.#channel) return;
    Atomics.store(this.#channel.ctrl, WAKE, 1);
    Atomics.notify(this.#channel.ctrl, SEQ);
  }

  #call(body: Body<PredictRequest>): Promise<WorkerReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ ...body, id });
      this.#wake();
    });
  }

  /** Gradients of one batch share (written to `grads`), through the channel. */
  async train(share: Share, version: number): Promise<ShareResult> {
    if (this.#dead) throw this.#dead;
    const n = share.y.length;
    if (!this.#channel || this.#channel.capacity < n) {
      const statsLength = 2 * this.#bnChannels.reduce((a, c) => a + c, 0);
      const channel = Channel.create(n, statsLength);
      this.#worker.postMessage({ type: 'channel', buffer: channel.buffer, capacity: n, statsLength });
      this.#wake(); // on the old channel, if any
      this.#channel = channel;
      this.#seq = 0;
    }
    const ch = this.#channel;
    ch.writeShare(share.x, share.y, { n, first: share.first, total: share.total, step: share.step, version });
    const seq = ++this.#seq;
    this.#sharing = true;
    this.#worker.ref();
    Atomics.store(ch.ctrl, SEQ, seq);
    Atomics.notify(ch.ctrl, SEQ);
    try {
      while (Atomics.load(ch.ctrl, DONE) !== seq) {
        // Time-limited, so that a worker's death (reported on the event loop) is noticed.
        const wait = waitAsync(ch.ctrl, DONE, Atomics.load(ch.ctrl, DONE), DEATH_CHECK_MS);
        if (wait.async) await wait.value;
        if (this.#dead) throw this.#dead;
      }
    } finally {
      this.#sharing = false;
      this.#unrefWhenIdle();
    }
    const error = ch.readError();
    if (error !== null) throw new WorkbenchError('trainer', `Engine worker: ${error}`);
    return ch.readResult(this.#bnChannels);
  }

  async predict(req: Body<PredictRequest>): Promise<Float32Array> {
    return ((await this.#call(req)) as Extract<WorkerReply, { type: 'predicted' }>).probs;
  }

  async terminate(): Promise<void> {
    this.#dead ??= new WorkbenchError('trainer', 'Engine disposed');
    await this.#worker.terminate();
  }
}
