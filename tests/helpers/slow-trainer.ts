// An in-process stand-in for the trainer process, for tests of what the core does with time: it speaks the trainer
// protocol with epochs that take a set number of milliseconds (the first `fastRuns` runs, e.g. a calibration, go at
// `fastEpochMs`; later ones at `epochMs`), honours stop before every "batch", and predicts one-hot guesses.
import type { TrainerHandle, TrainerSpawner } from '../../src/core/training/trainer-process.js';
import type { CheckpointData, TrainerEvent, TrainerRequest } from '../../src/shared/trainer-protocol.js';
import { summarize } from '../../src/shared/model-summary.js';

export interface SlowTrainerOptions {
  epochMs: number;
  fastEpochMs: number;
  fastRuns: number;
  batches?: number;
  /** Share of validation digits each run gets right (varies by seed so the ensemble has something to choose). */
  accuracy?: (seed: number) => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function slowTrainerSpawner(o: SlowTrainerOptions): TrainerSpawner & { trainRequests: number } {
  const state = { trainRequests: 0 };
  const spawner = (() => {
    const listeners: ((e: TrainerEvent) => void)[] = [];
    const exits: ((reason: string) => void)[] = [];
    const stops = new Set<number>();
    let killed = false;
    const send = (e: TrainerEvent) => queueMicrotask(() => !killed && listeners.forEach((l) => l(e)));
    const train = async (req: Extract<TrainerRequest, { type: 'train' }>) => {
      const epochMs = state.trainRequests++ < o.fastRuns ? o.fastEpochMs : o.epochMs;
      const batches = o.batches ?? 10;
      const hp = req.hyperparams;
      send({ type: 'started', runId: req.runId, backend: 'wasm', backendNote: null, workers: 1, summary: summarize(hp.model), resumedFrom: req.resume?.last.epoch ?? 0 });
      const acc = o.accuracy?.(hp.seed) ?? 0.9;
      const n = req.valIndices.length;
      const probs = new Float32Array(n * 10);
      req.valIndices.forEach((row, i) => (probs[i * 10 + ((i + hp.seed) / n < acc ? req.labels[row] : (req.labels[row] + 1) % 10)] = 1));
      let best: CheckpointData | null = req.resume?.best ?? null;
      for (let epoch = (req.resume?.last.epoch ?? 0) + 1; epoch <= hp.epochs; epoch++) {
        const started = Date.now();
        for (let b = 0; b < batches; b++) {
          if (stops.has(req.runId) || killed) {
            if (best) send({ type: 'result', runId: req.runId, epoch: best.epoch, indices: req.valIndices, probs });
            send({ type: 'done', runId: req.runId, outcome: 'stopped', reason: `stopped during epoch ${epoch}` });
            return;
          }
          await sleep(epochMs / batches);
          const seconds = (Date.now() - started) / 1000;
          const images = ((b + 1) * req.trainIndices.length) / batches;
          send({ type: 'progress', progress: { runId: req.runId, epoch, epochs: hp.epochs, batch: b + 1, batches, loss: 1 / epoch, acc, imagesPerSecond: images / seconds, etaSeconds: 0, lr: hp.learningRate, seconds } });
        }
        const seconds = (Date.now() - started) / 1000;
        const metrics = { epoch, loss: 1 / epoch, acc, valLoss: 1 / epoch, valAcc: acc * (1 - 1 / (epoch + 10)), lr: hp.learningRate, seconds, imagesPerSecond: req.trainIndices.length / seconds };
        const checkpoint: CheckpointData = {
          epoch,
          weights: new Uint8Array([epoch]),
          optimizer: new Uint8Array([epoch]),
          state: { epoch, learningRate: hp.learningRate, step: epoch * batches, plateau: null, early: null, best: { epoch, valAcc: metrics.valAcc, valLoss: metrics.valLoss }, stopReason: null },
        };
        best = checkpoint;
        send({ type: 'epoch', runId: req.runId, metrics });
        send({ type: 'checkpoint', runId: req.runId, metrics, slots: ['last', 'best'], checkpoint });
      }
      send({ type: 'result', runId: req.runId, epoch: best?.epoch ?? 0, indices: req.valIndices, probs });
      send({ type: 'done', runId: req.runId, outcome: 'completed', reason: 'all epochs done' });
    };
    const handle: TrainerHandle = {
      pid: undefined,
      send(req) {
        if (req.type === 'train') void train(req);
        else if (req.type === 'stop') stops.add(req.runId);
        else if (req.type === 'backends') send({ type: 'backends', requestId: req.requestId, backends: [{ name: 'wasm', available: true, reason: null }] });
        else if (req.type === 'predict') {
          const rows = req.pixels.length / 784;
          const probs = new Float32Array(rows * 10);
          for (let r = 0; r < rows; r++) probs[r * 10 + (req.pixels[r * 784 + 400] % 10)] = 1;
          void sleep(20).then(() => send({ type: 'predicted', requestId: req.requestId, probs } as TrainerEvent));
        }
      },
      onEvent: (l) => void listeners.push(l),
      onExit: (l) => void exits.push(l),
      kill() {
        if (killed) return;
        killed = true;
        exits.forEach((l) => l('killed'));
      },
    };
    return handle;
  }) as TrainerSpawner & { trainRequests: number };
  Object.defineProperty(spawner, 'trainRequests', { get: () => state.trainRequests });
  return spawner;
}
