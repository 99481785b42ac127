// Worker-thread entry: one data-parallel replica on its own tfjs backend instance (wasm is single-threaded, so
// a second thread is how one run uses a second core).

import { parentPort } from 'node:worker_threads';
import { resolveBackend, useBackend } from './backend.js';
import { BatchExchange } from './batch-exchange.js';
import { planModel } from './model.js';
import { setNativeThreads } from './native/backend.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { Replica } from './replica.js';

if (!parentPort) throw new Error('worker.js must run in a worker thread');
const port = parentPort;

let replica: Replica | undefined;
let weights: Float32Array | undefined;
let grads: Float32Array | undefined;
let exchange: BatchExchange | undefined;
let loaded = -1;

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
    reply({ type: 'error', id: msg.type === 'init' ? 0 : msg.id, message: err instanceof Error ? err.message : String(err) });
  });
});

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'init') {
    const { name } = await resolveBackend(msg.backend);
    await useBackend(name);
    if (name === 'native') setNativeThreads(msg.threads);
    replica = new Replica(planModel(msg.layers), msg.seed);
    weights = new Float32Array(msg.weights);
    grads = new Float32Array(msg.grads);
    exchange = new BatchExchange(msg.exchange);
    // A thread that dies (an uncaught error) must not leave the engine's thread waiting for it at a BatchNorm layer:
    // its event loop, which would hear of the death, is blocked there.
    process.on('exit', () => exchange!.abort());
    reply({ type: 'ready', id: 0 });
  } else if (msg.type === 'train') {
    const share = { x: msg.x, y: msg.y, first: msg.first, total: msg.total, step: msg.step };
    let result;
    try {
      sync(msg.version);
      result = replica!.trainShare(share, grads!, (local) => exchange!.gather(msg.rank, local));
    } catch (err) {
      // The other replicas may be waiting for this one at a BatchNorm layer.
      exchange!.abort();
      throw err;
    }
    reply({ type: 'trained', id: msg.id, ...result });
  } else {
    sync(msg.version);
    if (msg.features) {
      const { probs, features, width } = replica!.features(msg.x);
      reply({ type: 'predicted', id: msg.id, probs, features, width }, [probs.buffer as ArrayBuffer, features.buffer as ArrayBuffer]);
    } else {
      const probs = replica!.predict(msg.x);
      reply({ type: 'predicted', id: msg.id, probs }, [probs.buffer as ArrayBuffer]);
    }
  }
}
