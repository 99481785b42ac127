// One sweep with its trials and analysis, as the Sweeps view shows it.

import type { Db } from '../db/open.js';
import { parseSpace, searched } from '../../shared/sweep-space.js';
import type { SweepDetail } from '../../shared/sweeps.js';
import { getDataset } from '../datasets/repo.js';
import { resolveHyperparams } from '../training/presets.js';
import { compareBest, importance } from './analysis.js';
import * as repo from './sweeps-repo.js';

export function sweepDetail(db: Db, id: number): SweepDetail {
  const trials = repo.trialsOf(db, id);
  const info = repo.sweepInfo(db, id, trials);
  const dims = searched(parseSpace(info.params));
  const ratio = resolveHyperparams(info.preset, info.hyperparams).validation.ratio;
  const valSize = Math.round(getDataset(db, info.datasetId).rows * ratio);
  return { ...info, dimensions: dims, trialList: trials, importance: importance(dims, trials), comparison: compareBest(db, trials, valSize), valSize };
}
