// Worker-thread entry: one data-parallel replica on its own tfjs backend instance (wasm is single-threaded, so
// a second thread is how one run uses a second core). Batch shares arrive through a Channel and are answered
// there; predictions and setup come as messages, which the engine announces with the channel's WAKE flag.

import { parentPort } from 'node:worker_threads';
import { resolveBackend, useBackend } from './backend.js';
import { Channel, DONE, SEQ, WAKE } from './channel.js';
import { planModel } from './model.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { Replica } from './replica.js';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;

/** How long a wait for a share lasts before the worker looks at its messages anyway (a safety net: see WAKE). */
const IDLE_MS = 50;

let replica: Replica | undefined;
let weights: Float32Array | undefined;
let grads: Float32Array | undefined;
let loaded = -1;
let channel: Channel | undefined;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function sync(version: number): void {
  if (version !== loaded) {
    replica!.loadWeights(weights!);
    loaded = version;
  }
}

port.on('message', (msg: WorkerRequest) => {
  void handle(msg).catch((err: unknown) => {
    reply({ type: 'error', id: msg.type === 'predict' ? msg.id : 0, message: err instanceof Error ? err.message : String(err) });
  });
});

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'init') {
    const { name } = await resolveBackend(msg.backend);
    await useBackend(name);
    replica = new Replica(planModel(msg.layers), msg.seed);
    weights = new Float32Array(msg.weights);
    grads = new Float32Array(msg.grads);
    reply({ type: 'ready', id: 0 });
  } else if (msg.type === 'channel') {
    const first = channel === undefined;
    channel = new Channel(msg.buffer, msg.capacity, msg.statsLength);
    if (first) void serve();
  } else {
    sync(msg.version);
    const probs = replica!.predict(msg.x);
    reply({ type: 'predicted', id: msg.id, probs }, [probs.buffer as ArrayBuffer]);
  }
}

/** Blocks on the channel for shares; returns to the event loop when woken for a message or after IDLE_MS. */
async function serve(): Promise<void> {
  for (;;) {
    const ch = channel!;
    const c = ch.ctrl;
    const done = Atomics.load(c, DONE);
    if (Atomics.load(c, WAKE) === 0) Atomics.wait(c, SEQ, done, IDLE_MS);
    if (Atomics.load(c, SEQ) !== done) {
      trainShare(ch);
      continue;
    }
    Atomics.store(c, WAKE, 0);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function trainShare(ch: Channel): void {
  const seq = Atomics.load(ch.ctrl, SEQ);
  try {
    const s = ch.readShare();
    sync(s.version);
    const result = replica!.trainShare({ x: s.x, y: s.y, first: s.first, total: s.total, step: s.step }, grads!);
    ch.writeResult(result.lossSum, result.correct, result.bnStats);
  } catch (err) {
    ch.writeError(err instanceof Error ? err.message : String(err));
  }
  Atomics.store(ch.ctrl, DONE, seq);
  Atomics.notify(ch.ctrl, DONE);
}
