// The New run form's sweep axes: which hyperparameters it offers, and the axes as "NAME=SPACE" texts for the
// shared parser (src/shared/sweep-space.ts), which the CLI's --param uses too.

import { gridPoints, parseSpace, type Dimension } from '../../shared/sweep-space.js';
import type { Search } from '../../shared/sweeps.js';

export interface SweepField {
  key: string;
  label: string;
}

export const SWEEP_FIELDS: SweepField[] = [
  { key: 'learningRate', label: 'Learning rate' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'epochs', label: 'Epochs' },
  { key: 'optimizer', label: 'Optimizer' },
  { key: 'momentum', label: 'Momentum' },
  { key: 'validation.ratio', label: 'Validation ratio' },
  { key: 'augmentation.rotation', label: 'Rotation (°)' },
  { key: 'augmentation.zoom', label: 'Zoom' },
  { key: 'augmentation.shift', label: 'Shift' },
  { key: 'seed', label: 'Seed' },
];

export interface SweepAxis {
  key: string;
  /** "0.001, 0.003" (a list), "16..128" (a range) or "log:1e-4..1e-2" (a log range). */
  values: string;
}

/** One axis as the parser's "NAME=SPACE": a list may be separated by commas or spaces. */
export function axisParam(axis: SweepAxis): string {
  const text = axis.values.trim();
  const space = text.includes('..') ? text.replace(/\s+/g, '') : text.split(/[\s,;]+/).filter(Boolean).join(',');
  return `${axis.key}=${space}`;
}

export interface SweepPlan {
  params: string[];
  dims: Dimension[];
  /** Trials the sweep will run: the grid's size for grid search, else the budget asked for. */
  trials: number;
}

/** Parses the axes; throws the parser's message (it names the axis). */
export function sweepPlan(axes: SweepAxis[], search: Search, trials: number): SweepPlan {
  const params = axes.map(axisParam);
  const dims = parseSpace(params);
  if (search === 'grid') return { params, dims, trials: gridPoints(dims).length };
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000) throw new Error('Trials: a whole number from 1 to 1000');
  return { params, dims, trials };
}
