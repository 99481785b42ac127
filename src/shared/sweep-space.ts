// Search spaces for sweeps, shared by the CLI (--param NAME=SPACE), the New run form and the core:
// "batchSize=32,64,128" (a list), "augmentation.rotation=0..15" (a range), "learningRate=log:1e-4..1e-2" (a log
// range), "epochs=4" (fixed). Parsing errors name the parameter text so the user sees which one is wrong.

import { badInput } from './errors.js';
import type { Hyperparams } from './hyperparams.js';

export type ParamValue = number | string | boolean;

export type Dimension =
  | { key: string; kind: 'fixed'; value: ParamValue }
  | { key: string; kind: 'list'; values: ParamValue[] }
  /** integer: both bounds were written as whole numbers and the field only takes whole numbers. */
  | { key: string; kind: 'range'; low: number; high: number; log: boolean; integer: boolean };

const KEY = /^[A-Za-z]\w*(\.[A-Za-z]\w*)?$/;

function value(text: string, token: string): ParamValue {
  if (token === 'true' || token === 'false') return token === 'true';
  const n = Number(token);
  if (token !== '' && Number.isFinite(n)) return n;
  if (/^[a-z][\w-]*$/i.test(token)) return token;
  throw badInput(`${text}: “${token}” is not a number or a name`, { path: text });
}

function bound(text: string, token: string): number {
  const n = Number(token);
  if (token.trim() === '' || !Number.isFinite(n)) throw badInput(`${text}: “${token}” is not a number`, { path: text });
  return n;
}

/** Parses one "NAME=SPACE"; throws a bad-input error that starts with the text itself. */
export function parseParam(text: string): Dimension {
  const eq = text.indexOf('=');
  if (eq < 0) throw badInput(`${text}: write NAME=SPACE, e.g. learningRate=log:1e-4..1e-2 or batchSize=32,64`, { path: text });
  const key = text.slice(0, eq).trim();
  const space = text.slice(eq + 1).trim();
  if (!KEY.test(key)) throw badInput(`${text}: “${key}” is not a hyperparameter name (e.g. learningRate, augmentation.rotation)`, { path: text });
  if (space === '') throw badInput(`${text}: no values after “=”`, { path: text });
  const log = space.startsWith('log:');
  const body = log ? space.slice(4) : space;
  if (body.includes('..')) {
    const [lo, hi, ...extra] = body.split('..');
    if (extra.length) throw badInput(`${text}: a range is LOW..HIGH`, { path: text });
    const low = bound(text, lo);
    const high = bound(text, hi);
    if (!(low < high)) throw badInput(`${text}: the range must go from low to high`, { path: text });
    if (log && low <= 0) throw badInput(`${text}: a log range needs bounds above 0`, { path: text });
    const integer = /^\s*-?\d+\s*$/.test(lo) && /^\s*-?\d+\s*$/.test(hi);
    return { key, kind: 'range', low, high, log, integer };
  }
  if (log) throw badInput(`${text}: log: needs a range, e.g. log:1e-4..1e-2`, { path: text });
  const tokens = body.split(',').map((t) => t.trim());
  if (tokens.some((t) => t === '')) throw badInput(`${text}: an empty value in the list`, { path: text });
  const values = [...new Set(tokens.map((t) => value(text, t)))];
  return values.length === 1 ? { key, kind: 'fixed', value: values[0] } : { key, kind: 'list', values };
}

/** Parses every parameter; a name given twice is an error (which one would win is not obvious). */
export function parseSpace(texts: string[]): Dimension[] {
  const dims = texts.map(parseParam);
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.key)) throw badInput(`${d.key}: given twice`, { path: d.key });
    seen.add(d.key);
  }
  return dims;
}

/** The text form of a dimension, as the user would write it. */
export function formatDimension(d: Dimension): string {
  if (d.kind === 'fixed') return `${d.key}=${d.value}`;
  if (d.kind === 'list') return `${d.key}=${d.values.join(',')}`;
  return `${d.key}=${d.log ? 'log:' : ''}${d.low}..${d.high}`;
}

/** Fields that are off (null) in some presets get these when a sweep sets one of their members. */
const WHEN_OFF: Record<string, Record<string, unknown>> = {
  augmentation: { rotation: 0, zoom: 0, shift: 0 },
};

/** The hyperparameter at "a" or "a.b", or undefined when there is no such field. */
export function getParam(hp: Hyperparams, key: string): unknown {
  const [head, tail] = key.split('.');
  const top = (hp as unknown as Record<string, unknown>)[head];
  if (tail === undefined) return top;
  if (top === null) return Object.hasOwn(WHEN_OFF, head) ? WHEN_OFF[head][tail] : undefined;
  return typeof top === 'object' && !Array.isArray(top) ? (top as Record<string, unknown>)[tail] : undefined;
}

export function setParam(hp: Hyperparams, key: string, v: ParamValue): Hyperparams {
  const copy = structuredClone(hp) as unknown as Record<string, unknown>;
  const [head, tail] = key.split('.');
  if (tail === undefined) copy[head] = v;
  else copy[head] = { ...((copy[head] as Record<string, unknown> | null) ?? WHEN_OFF[head]), [tail]: v };
  return copy as unknown as Hyperparams;
}

/** Checks every name exists in `base` ("augmentation.rotation" also when augmentation is off). */
export function checkKeys(dims: Dimension[], base: Hyperparams, preset: string): void {
  for (const d of dims) {
    const current = getParam(base, d.key);
    if (current === undefined || typeof current === 'object') {
      throw badInput(`${formatDimension(d)}: ${d.key} is not a hyperparameter of ${preset} that takes a single value`, { path: d.key });
    }
    if (d.kind === 'range' && typeof current !== 'number') throw badInput(`${formatDimension(d)}: ${d.key} is not a number, give a list`, { path: d.key });
  }
}

/** The cartesian product of fixed values and lists, in order (the first parameter varies slowest). */
export function gridPoints(dims: Dimension[]): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  for (const d of dims) {
    if (d.kind === 'range') throw badInput(`${formatDimension(d)}: grid search needs a list of values (e.g. 0,5,10); use random or TPE for ranges`, { path: d.key });
    const values = d.kind === 'fixed' ? [d.value] : d.values;
    points = points.flatMap((p) => values.map((v) => ({ ...p, [d.key]: v })));
  }
  return points;
}

/** The dimensions a sweep searches (fixed ones are set on every trial and not plotted). */
export function searched(dims: Dimension[]): Dimension[] {
  return dims.filter((d) => d.kind !== 'fixed');
}
