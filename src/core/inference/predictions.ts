// Test-set predictions: each run's probabilities are computed once per (dataset, weights, TTA, checkpoint epoch)
// in a trainer process and stored, so an ensemble (the mean of its members' probabilities) is re-combined
// without predicting again.

import type { Db } from '../db/open.js';
import { badInput } from '../../shared/errors.js';
import type { BackendChoice, CheckpointData, WeightsSlot } from '../../shared/trainer-protocol.js';
import { getDataset, loadDatasetArrays } from '../datasets/repo.js';
import { getRunDetail } from '../training/runs-repo.js';
import { requireCheckpoint } from './model-export.js';
import type { TrainerClient } from './trainer-client.js';

export interface PredictContext {
  db: Db;
  client: TrainerClient;
  backend: BackendChoice | null;
}

export interface PredictOptions {
  runIds: number[];
  datasetId: number;
  weights: WeightsSlot;
  tta: boolean;
  onProgress?: (done: number, total: number) => void;
}

function storedProbs(db: Db, runId: number, datasetId: number, weights: WeightsSlot, tta: boolean, epoch: number): Float32Array | null {
  const blob = db
    .prepare('SELECT probs FROM predictions WHERE run_id = ? AND dataset_id = ? AND weights = ? AND tta = ? AND epoch = ?')
    .pluck()
    .get(runId, datasetId, weights, tta ? 1 : 0, epoch) as Buffer | undefined;
  return blob ? new Float32Array(new Uint8Array(blob).buffer) : null;
}

/** What a prediction needs, looked up once by the caller: the run's checkpoint and, lazily, the dataset's pixels. */
interface Inputs {
  checkpoint?: CheckpointData;
  pixels: () => Uint8Array;
}

/** One run's probabilities for every row of the dataset (rows × 10), from the store or freshly predicted. */
export async function runProbabilities(ctx: PredictContext, runId: number, opts: Omit<PredictOptions, 'runIds'>, inputs?: Inputs): Promise<Float32Array> {
  const run = getRunDetail(ctx.db, runId);
  const checkpoint = inputs?.checkpoint ?? requireCheckpoint(ctx.db, runId, opts.weights);
  const cached = storedProbs(ctx.db, runId, opts.datasetId, opts.weights, opts.tta, checkpoint.epoch);
  if (cached) return cached;
  const pixels = inputs ? inputs.pixels() : loadDatasetArrays(ctx.db, opts.datasetId).pixels;
  const reply = await ctx.client.request(
    { type: 'predict', model: run.hyperparams.model, checkpoint, pixels, tta: opts.tta, backend: ctx.backend },
    'predicted',
    opts.onProgress,
  );
  ctx.db
    .prepare('INSERT OR REPLACE INTO predictions (run_id, dataset_id, weights, epoch, tta, probs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(runId, opts.datasetId, opts.weights, checkpoint.epoch, opts.tta ? 1 : 0, Buffer.from(reply.probs.buffer, reply.probs.byteOffset, reply.probs.byteLength), new Date().toISOString());
  return reply.probs;
}

/** The mean of the runs' probabilities (one run: its own). */
export async function ensembleProbabilities(ctx: PredictContext, opts: PredictOptions): Promise<Float32Array> {
  if (opts.runIds.length === 0) throw badInput('runs: pick at least one run');
  if (new Set(opts.runIds).size !== opts.runIds.length) throw badInput('runs: a run is listed twice');
  const dataset = getDataset(ctx.db, opts.datasetId);
  // Every member must have weights before any of them predicts.
  const checkpoints = opts.runIds.map((id) => requireCheckpoint(ctx.db, id, opts.weights));
  let pixels: Uint8Array | undefined;
  const lazyPixels = () => (pixels ??= loadDatasetArrays(ctx.db, opts.datasetId).pixels);
  const mean = new Float32Array(dataset.rows * 10);
  for (const [i, runId] of opts.runIds.entries()) {
    const progress = opts.onProgress && ((done: number, total: number) => opts.onProgress!(i * total + done, opts.runIds.length * total));
    const probs = await runProbabilities(ctx, runId, { ...opts, onProgress: progress }, { checkpoint: checkpoints[i], pixels: lazyPixels });
    for (let k = 0; k < mean.length; k++) mean[k] += probs[k] / opts.runIds.length;
  }
  return mean;
}

/** Accuracy and the confusion matrix (rows: true class, columns: predicted). */
export function score(predicted: Uint8Array, truth: Uint8Array): { accuracy: number; confusion: number[][] } {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  predicted.forEach((p, i) => {
    confusion[truth[i]][p]++;
    if (p === truth[i]) correct++;
  });
  return { accuracy: correct / predicted.length, confusion };
}
