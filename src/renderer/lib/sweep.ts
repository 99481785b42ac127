// A simple sweep: one or two hyperparameters, each with a list of values; the grid becomes separate runs.

import type { Hyperparams } from '../../shared/hyperparams.js';

export interface SweepField {
  key: string;
  label: string;
  kind: 'int' | 'number' | 'optimizer';
}

export const SWEEP_FIELDS: SweepField[] = [
  { key: 'learningRate', label: 'Learning rate', kind: 'number' },
  { key: 'batchSize', label: 'Batch size', kind: 'int' },
  { key: 'epochs', label: 'Epochs', kind: 'int' },
  { key: 'optimizer', label: 'Optimizer', kind: 'optimizer' },
  { key: 'momentum', label: 'Momentum', kind: 'number' },
  { key: 'validation.ratio', label: 'Validation ratio', kind: 'number' },
  { key: 'seed', label: 'Seed', kind: 'int' },
];

export interface SweepAxis {
  key: string;
  values: string;
}

export type SweepValue = number | string;

/** Parses "0.001, 0.003 1e-2" into values, or throws naming the token that is not one. */
export function parseValues(field: SweepField, text: string): SweepValue[] {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const values = tokens.map((t) => {
    if (field.kind === 'optimizer') {
      if (!['adam', 'sgd', 'rmsprop'].includes(t)) throw new Error(`${field.label}: “${t}” is not one of adam, sgd, rmsprop`);
      return t;
    }
    const n = Number(t);
    if (!Number.isFinite(n) || (field.kind === 'int' && !Number.isInteger(n))) {
      throw new Error(`${field.label}: “${t}” is not ${field.kind === 'int' ? 'a whole number' : 'a number'}`);
    }
    return n;
  });
  return [...new Set(values)];
}

function withValue(hp: Hyperparams, key: string, value: SweepValue): Hyperparams {
  const copy = structuredClone(hp) as unknown as Record<string, Record<string, unknown>>;
  const [head, tail] = key.split('.');
  if (tail) copy[head] = { ...copy[head], [tail]: value };
  else (copy as Record<string, unknown>)[head] = value;
  return copy as unknown as Hyperparams;
}

export interface GridPoint {
  hyperparams: Hyperparams;
  label: string;
}

/** The cartesian product of the axes' values applied to `base`; an axis with no values is skipped. */
export function grid(base: Hyperparams, axes: { field: SweepField; values: SweepValue[] }[]): GridPoint[] {
  let points: GridPoint[] = [{ hyperparams: base, label: '' }];
  for (const { field, values } of axes) {
    if (values.length === 0) continue;
    points = points.flatMap((p) =>
      values.map((v) => ({
        hyperparams: withValue(p.hyperparams, field.key, v),
        label: `${p.label ? `${p.label}, ` : ''}${field.label} ${v}`,
      })),
    );
  }
  return points;
}
