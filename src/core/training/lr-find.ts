// The learning-rate finder from the core: the run's hyperparameters and training split (never its validation
// images), sent to a trainer process as an lr-find request.

import { badInput } from '../../shared/errors.js';
import type { LrFindResult } from '../../shared/runs.js';
import type { PredictContext } from '../inference/predictions.js';
import { getDataset, loadDatasetArrays } from '../datasets/repo.js';
import { resolveHyperparams } from './presets.js';
import { splitIndices } from './split.js';

export async function findLearningRate(
  ctx: PredictContext,
  opts: { datasetId: number; preset: string; hyperparams?: Record<string, unknown>; steps?: number; onProgress?: (done: number, total: number) => void },
): Promise<LrFindResult> {
  const dataset = getDataset(ctx.db, opts.datasetId);
  if (dataset.kind !== 'train') throw badInput(`datasetId: dataset ${dataset.id} "${dataset.name}" is a test set (no labels)`);
  const hyperparams = resolveHyperparams(opts.preset, opts.hyperparams);
  const data = loadDatasetArrays(ctx.db, dataset.id);
  const split = splitIndices(data.labels!, { ...hyperparams.validation, seed: hyperparams.seed });
  if (split.train.length === 0) throw badInput('validation: leaves no training images');
  const reply = await ctx.client.request(
    { type: 'lr-find', hyperparams, pixels: data.pixels, labels: data.labels!, trainIndices: split.train, steps: opts.steps ?? 100, backend: ctx.backend },
    'lr-found',
    opts.onProgress,
  );
  const suggested = reply.steepest ?? reply.minOver10;
  return { points: reply.points, steepest: reply.steepest, minOver10: reply.minOver10, suggested, backend: reply.backend };
}
