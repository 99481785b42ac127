// The trainer process entry. The same file runs under Electron's utilityProcess.fork (process.parentPort) and
// Node's child_process.fork (process.send, advanced serialization for typed arrays). One run at a time.

import { toErrorData, WorkbenchError } from '../shared/errors.js';
import { createLogger } from './log.js';
import type { BackendChoice, TrainerEvent, TrainerRequest } from '../shared/trainer-protocol.js';
import type { Hyperparams } from '../shared/hyperparams.js';
import { availableBackends, createEngine } from './engine/index.js';
import { trainRun } from './train-loop.js';
import { explain, exportModel, predict } from './inference.js';
import { lrFind } from './lr-find.js';
import { embed } from './embed.js';
import { systemSampler } from './system-stats.js';

const log = createLogger('trainer');

/** The engine a train or lr-find request asks for (the run's model, optimizer and seed, on its backend). */
function engineFor(hp: Hyperparams, req: { backend?: BackendChoice | null; workers?: number | null; threads?: number | null }) {
  return createEngine({
    layers: hp.model,
    optimizer: { name: hp.optimizer, learningRate: hp.learningRate, momentum: hp.momentum },
    seed: hp.seed,
    batchNormStats: hp.batchNormStats,
    backend: req.backend ?? undefined,
    workers: req.workers ?? undefined,
    threads: req.threads ?? undefined,
  });
}

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(event: TrainerEvent): void {
  if (parentPort) parentPort.postMessage(event);
  else process.send?.(event);
}

function onRequest(listener: (req: TrainerRequest) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as TrainerRequest));
  else process.on('message', (msg) => listener(msg as TrainerRequest));
}

const stops = new Set<number>();
let busy = false;

async function handle(req: TrainerRequest): Promise<void> {
  if (req.type === 'stop') {
    stops.add(req.runId);
    return;
  }
  if (busy && req.type === 'train') {
    send({ type: 'error', runId: req.runId, error: { code: 'conflict', message: 'this trainer process is already training a run' } });
    return;
  }
  try {
    if (req.type === 'train') {
      busy = true;
      const engine = await engineFor(req.hyperparams, req);
      // Each completed epoch carries the trainer's CPU % and memory over that epoch.
      const sample = systemSampler();
      const sendWithStats = (event: TrainerEvent) =>
        send(event.type === 'checkpoint' && event.metrics ? { ...event, metrics: { ...event.metrics, ...sample() } } : event);
      try {
        await trainRun(req, engine, { send: sendWithStats, stopRequested: () => stops.has(req.runId) });
      } finally {
        await engine.dispose();
        busy = false;
      }
    } else if (req.type === 'predict') {
      const progress = (done: number, total: number) => send({ type: 'predict-progress', requestId: req.requestId, done, total });
      send({ type: 'predicted', requestId: req.requestId, probs: await predict(req, progress) });
    } else if (req.type === 'explain') {
      send({ type: 'explained', requestId: req.requestId, ...(await explain(req)) });
    } else if (req.type === 'backends') {
      send({ type: 'backends', requestId: req.requestId, backends: await availableBackends() });
    } else if (req.type === 'lr-find') {
      const engine = await engineFor(req.hyperparams, req);
      try {
        const progress = (done: number, total: number) => send({ type: 'predict-progress', requestId: req.requestId, done, total });
        send({ type: 'lr-found', requestId: req.requestId, backend: engine.backend, ...(await lrFind(req, engine, progress)) });
      } finally {
        await engine.dispose();
      }
    } else if (req.type === 'embed') {
      const progress = (stage: string, done: number, total: number) => send({ type: 'predict-progress', requestId: req.requestId, done, total, stage });
      send({ type: 'embedded', requestId: req.requestId, ...(await embed(req, progress)) });
    } else if (req.type === 'export') {
      send({ type: 'exported', requestId: req.requestId, ...(await exportModel(req)) });
    }
  } catch (err) {
    // Expected failures travel as data; anything else is a bug whose stack the parent files in the log.
    if (!(err instanceof WorkbenchError) || err.code === 'internal') log.error(`${req.type} request failed`, err as Error);
    const id = req.type === 'train' ? { runId: req.runId } : { requestId: req.requestId };
    send({ type: 'error', ...id, error: toErrorData(err) });
  }
}

onRequest((req) => void handle(req));
// A trainer whose parent died (killed app, CLI or serve process) must not train on as an orphan.
if (!parentPort) process.on('disconnect', () => process.exit(0));
// Tell the supervisor we are ready to take requests (it queues them until then).
send({ type: 'log', level: 'debug', message: `trainer ${process.pid} ready` });
