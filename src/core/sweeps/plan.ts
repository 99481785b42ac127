// Checking a sweep before anything is queued: the space parses, every name is a hyperparameter of the preset,
// every list value and both ends of every range make valid hyperparameters, and the budget fits the strategy.

import { randomInt } from 'node:crypto';
import type { Db } from '../db/open.js';
import { badInput, WorkbenchError } from '../../shared/errors.js';
import { checkKeys, formatDimension, gridPoints, parseSpace, searched, type Dimension } from '../../shared/sweep-space.js';
import type { PruneSpec, Search, SweepSpec } from '../../shared/sweeps.js';
import type { RunTarget } from '../../shared/runs.js';
import { getDataset } from '../datasets/repo.js';
import { resolveHyperparams } from '../training/presets.js';
import { rungEpochs } from './asha.js';
import { SweepManager } from './sweep-manager.js';

export interface SweepRequest {
  datasetId: number;
  preset: string;
  hyperparams?: Record<string, unknown>;
  params: string[];
  trials?: number;
  search: Search;
  prune?: PruneSpec | null;
  seed?: number;
  target?: RunTarget;
}

const DEFAULT_TRIALS = 10;

function valuesToCheck(d: Dimension): (number | string | boolean)[] {
  if (d.kind === 'fixed') return [d.value];
  if (d.kind === 'list') return d.values;
  return [d.low, d.high];
}

export function planSweep(db: Db, req: SweepRequest): SweepSpec {
  const dataset = getDataset(db, req.datasetId);
  if (dataset.kind !== 'train') throw badInput(`dataset ${dataset.id} "${dataset.name}" is a test set (no labels): sweep over a train.csv`);
  const dims = parseSpace(req.params);
  const spec: SweepSpec = {
    datasetId: req.datasetId,
    preset: req.preset,
    hyperparams: req.hyperparams ?? {},
    params: req.params,
    trials: req.trials ?? DEFAULT_TRIALS,
    search: req.search,
    prune: req.prune ?? null,
    seed: req.seed ?? randomInt(2 ** 31 - 1),
    target: req.target ?? 'local',
  };
  const base = resolveHyperparams(req.preset, spec.hyperparams);
  checkKeys(dims, base, req.preset);
  for (const d of dims) {
    for (const v of valuesToCheck(d)) {
      try {
        SweepManager.trialHyperparams(spec, { [d.key]: v });
      } catch (err) {
        if (!(err instanceof WorkbenchError)) throw err;
        throw badInput(`${formatDimension(d)}: ${err.message}`, { path: d.key });
      }
    }
  }
  if (searched(dims).length === 0) throw badInput('params: nothing to search (every parameter has a single value); give a list or a range');
  if (req.search === 'grid') {
    const size = gridPoints(dims).length;
    spec.trials = req.trials === undefined ? size : Math.min(req.trials, size);
  }
  if (spec.prune) {
    const { minResource, reductionFactor } = spec.prune;
    if (reductionFactor < 2) throw badInput('prune.reductionFactor: must be 2 or more');
    if (!dims.some((d) => d.key === 'epochs') && rungEpochs(spec.prune, base.epochs).length === 0) {
      throw badInput(`prune.minResource: trials of ${base.epochs} epochs have no rung before their last epoch (the first rung is epoch ${minResource}); lower it or train longer`);
    }
  }
  return spec;
}
