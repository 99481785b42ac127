// Starting runs: a preset plus overrides becomes validated hyperparameters and a model that can work, then one
// queued run per seed (runs repeated over seeds share a group key so they can be compared as mean ± sd).

import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.js';
import { badInput } from '../../shared/errors.js';
import type { Hyperparams } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import type { RunTarget } from '../../shared/runs.js';
import { summarize } from '../../shared/model-summary.js';
import { getDataset } from '../datasets/repo.js';
import { appVersion } from '../version.js';
import { resolveHyperparams } from './presets.js';
import { createRun } from './runs-repo.js';

export function previewRun(preset: string, overrides?: Record<string, unknown>): { hyperparams: Hyperparams; summary: ModelSummary } {
  const hyperparams = resolveHyperparams(preset, overrides);
  return { hyperparams, summary: summarize(hyperparams.model) };
}

export function queueRuns(db: Db, opts: { datasetId: number; preset: string; hyperparams?: Record<string, unknown>; seeds?: number[]; target?: RunTarget }): number[] {
  const dataset = getDataset(db, opts.datasetId);
  if (dataset.kind !== 'train') throw badInput(`dataset ${dataset.id} "${dataset.name}" is a test set (no labels): train on a train.csv`);
  const { hyperparams } = previewRun(opts.preset, opts.hyperparams);
  // A fold split needs its fold (a label-issues job sets it); refused here rather than when the run launches.
  if (hyperparams.validation.mode === 'kfold' && !hyperparams.validation.fold) throw badInput('validation.fold: a kfold split needs {count, index}');
  const valCount = Math.round(dataset.rows * hyperparams.validation.ratio);
  if (dataset.rows - valCount < 1 || valCount < 1) throw badInput(`validation.ratio: leaves no training or no validation images in ${dataset.rows} rows`);
  const seeds = opts.seeds ?? [hyperparams.seed];
  const groupKey = seeds.length > 1 ? randomUUID() : null;
  return db.transaction(() =>
    seeds.map((seed) =>
      createRun(db, {
        datasetId: dataset.id,
        datasetSha256: dataset.sha256,
        preset: opts.preset,
        hyperparams: { ...hyperparams, seed },
        appVersion: appVersion(),
        groupKey,
        target: opts.target ?? 'local',
      }),
    ),
  )();
}
