// The training loop of one run: epochs of shuffled batches on the engine, validation, callbacks, a checkpoint
// after every epoch, throttled progress, a stop check before every batch, and the best weights' validation
// predictions at the end. It only computes and streams events; the core persists them.

import { PIXELS } from '../shared/digits.js';
import { scalePixels } from '../shared/pixels.js';
import type { Engine, EngineState } from './engine/types.js';
import type { CheckpointData, LoopState, TrainerEvent, TrainerRequest } from '../shared/trainer-protocol.js';
import type { EpochMetrics } from '../shared/runs.js';
import { afterEpoch, initialLoopState, learningRateFor } from './callbacks.js';
import { batchRandom, bnSampleOrder, epochOrder, fillBatch } from './batches.js';
import { hasBatchNorm } from '../shared/hyperparams.js';
import { engineStateOf } from './checkpoint.js';
import { passEpochGate } from './epoch-gate.js';

const PROGRESS_INTERVAL_MS = 250;

type TrainRequest = Extract<TrainerRequest, { type: 'train' }>;

export interface LoopIo {
  send(event: TrainerEvent): void;
  /** True once a stop was requested for this run. */
  stopRequested(): boolean;
}

/** Lets queued IPC messages (a stop request) in: a synchronous backend would otherwise never yield. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

function toCheckpoint(engineState: EngineState, state: LoopState): CheckpointData {
  return { epoch: state.epoch, weights: engineState.weights, optimizer: engineState.optimizer, state };
}

function scaled(pixels: Uint8Array, indices: Int32Array): { x: Float32Array; y: Uint8Array } {
  const x = new Float32Array(indices.length * PIXELS);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * PIXELS;
    scalePixels(pixels.subarray(src, src + PIXELS), x.subarray(i * PIXELS, (i + 1) * PIXELS));
  }
  return { x, y: new Uint8Array(indices.length) };
}

export async function trainRun(req: TrainRequest, engine: Engine, io: LoopIo): Promise<void> {
  const hp = req.hyperparams;
  let state: LoopState = req.resume ? req.resume.last.state : initialLoopState(hp);
  let bestState: CheckpointData | null = req.resume?.best ?? null;
  if (req.resume) {
    const last = req.resume.last;
    await engine.loadState(engineStateOf(last));
  }
  io.send({
    type: 'started',
    runId: req.runId,
    backend: engine.backend,
    backendNote: engine.backendNote,
    workers: engine.workers,
    kernels: engine.kernels,
    summary: engine.summary(),
    resumedFrom: state.epoch,
  });

  const val = scaled(req.pixels, req.valIndices);
  req.valIndices.forEach((src, i) => (val.y[i] = req.labels[src]));
  const run: RunContext = { req, engine, io, val };
  // `recomputed` BatchNorm statistics: a fixed sample of training images, unaugmented as validation's are.
  const bnSample = hp.batchNormStats === 'recomputed' && hasBatchNorm(hp) && req.trainIndices.length > 0
    ? scaled(req.pixels, bnSampleOrder(req.trainIndices, hp.batchSize, hp.seed)).x
    : null;
  const n = req.trainIndices.length;
  const batches = Math.ceil(n / hp.batchSize);
  const x = new Float32Array(hp.batchSize * PIXELS);
  const y = new Uint8Array(hp.batchSize);
  const runStart = performance.now();
  let imagesDone = 0;

  for (let epoch = state.epoch + 1; epoch <= hp.epochs && state.stopReason === null; epoch++) {
    const lr = learningRateFor(hp, state, epoch);
    engine.setLearningRate(lr);
    const order = epochOrder(req.trainIndices, hp.shuffleBuffer, hp.seed, epoch);
    const epochStart = performance.now();
    let lossSum = 0;
    let correct = 0;
    let lastProgress = 0;
    for (let b = 0; b < batches; b++) {
      await yieldToEvents();
      if (io.stopRequested()) {
        // A stopped run can still be studied: its best epoch's validation predictions are written too.
        if (bestState) await sendValidationResult(run, state, bestState);
        io.send({ type: 'done', runId: req.runId, outcome: 'stopped', reason: `stopped by the user during epoch ${epoch}` });
        return;
      }
      const start = b * hp.batchSize;
      const end = Math.min(n, start + hp.batchSize);
      const m = end - start;
      fillBatch({
        pixels: req.pixels,
        labels: req.labels,
        order,
        start,
        end,
        x,
        y,
        augmentation: hp.augmentation,
        random: hp.augmentation ? batchRandom(hp.seed, epoch, b) : undefined,
      });
      const r = await engine.trainBatch(m === hp.batchSize ? x : x.subarray(0, m * PIXELS), m === hp.batchSize ? y : y.subarray(0, m));
      lossSum += r.loss * m;
      correct += r.correct;
      imagesDone += m;
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS || b === batches - 1) {
        lastProgress = now;
        const epochSeconds = (now - epochStart) / 1000;
        const rate = end / epochSeconds;
        const remaining = (n - end) + (hp.epochs - epoch) * n;
        io.send({
          type: 'progress',
          progress: {
            runId: req.runId,
            epoch,
            epochs: hp.epochs,
            batch: b + 1,
            batches,
            loss: lossSum / end,
            acc: correct / end,
            imagesPerSecond: rate,
            etaSeconds: remaining / (imagesDone / ((now - runStart) / 1000)),
            lr,
            seconds: epochSeconds,
          },
        });
      }
    }
    const trainSeconds = (performance.now() - epochStart) / 1000;
    // Before validation, and even without one: the checkpoint's weights carry the statistics predictions use.
    if (bnSample) await engine.recomputeBatchNormStats(bnSample, hp.batchSize);
    const evaluation = req.valIndices.length > 0 ? await engine.evaluate(val.x, val.y) : null;
    const metrics: EpochMetrics = {
      epoch,
      loss: lossSum / n,
      acc: correct / n,
      valLoss: evaluation ? evaluation.loss : null,
      valAcc: evaluation ? evaluation.correct / req.valIndices.length : null,
      lr,
      seconds: (performance.now() - epochStart) / 1000,
      imagesPerSecond: n / trainSeconds,
    };
    const engineState = await engine.saveState();
    const decision = afterEpoch(hp, state, metrics, engineState.step);
    state = decision.state;
    const checkpoint = toCheckpoint(engineState, state);
    if (decision.isBest) bestState = checkpoint;
    io.send({ type: 'epoch', runId: req.runId, metrics });
    io.send({ type: 'checkpoint', runId: req.runId, metrics, slots: decision.isBest ? ['last', 'best'] : ['last'], checkpoint });
    await passEpochGate(req.runId, epoch, io.stopRequested); // a test hook; inert in the app
  }

  await finish(run, state, bestState);
}

/** What the end-of-run steps share. */
interface RunContext {
  req: TrainRequest;
  engine: Engine;
  io: LoopIo;
  val: { x: Float32Array; y: Uint8Array };
}

/** Validation predictions of the best weights (what error analysis studies), then done. */
async function finish(run: RunContext, state: LoopState, best: CheckpointData | null): Promise<void> {
  const { req, io } = run;
  const hp = req.hyperparams;
  if (hp.earlyStopping?.restoreBest && best && best.epoch !== state.epoch) {
    // Like Keras restore_best_weights: the run ends with ("last" holds) the best epoch's weights.
    io.send({ type: 'checkpoint', runId: req.runId, metrics: null, slots: ['last'], checkpoint: best });
  }
  await sendValidationResult(run, state, best);
  const reason =
    state.stopReason === 'early-stopping'
      ? `early stopping after epoch ${state.epoch} (${hp.earlyStopping?.monitor} did not improve for ${hp.earlyStopping?.patience} epochs)`
      : `all ${hp.epochs} epochs done`;
  io.send({ type: 'done', runId: req.runId, outcome: 'completed', reason });
}

/** The validation probabilities of the best weights (the last ones when no epoch had validation). */
async function sendValidationResult({ req, engine, io, val }: RunContext, state: LoopState, best: CheckpointData | null): Promise<void> {
  if (req.valIndices.length === 0) return;
  // Always from the checkpoint: a stop mid-epoch leaves the engine past the last completed epoch.
  if (best) {
    await engine.loadState(engineStateOf(best));
  }
  const evaluation = await engine.evaluate(val.x, val.y);
  io.send({ type: 'result', runId: req.runId, epoch: best?.epoch ?? state.epoch, indices: req.valIndices, probs: evaluation.probs });
}
