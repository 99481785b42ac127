// Parallel coordinates for a sweep: one vertical axis per searched hyperparameter plus best validation accuracy,
// each trial a polyline. Positions are 0 (bottom) to 1 (top): log ranges on a log scale, listed values evenly
// spaced. A brush is a [lo, hi] band on one axis; a trial shows when it lies inside every brush.

import type { Dimension, ParamValue } from '../../shared/sweep-space.js';
import type { TrialInfo } from '../../shared/sweeps.js';

export const ACC = 'best';

export interface Axis {
  key: string;
  log: boolean;
  /** Listed values in order, for a categorical axis. */
  values: ParamValue[] | null;
  low: number;
  high: number;
}

export interface Brush {
  lo: number;
  hi: number;
}

export function axesOf(dims: Dimension[], trials: TrialInfo[]): Axis[] {
  const axes: Axis[] = dims.map((d) => {
    if (d.kind === 'range') return { key: d.key, log: d.log, values: null, low: d.low, high: d.high };
    // Numbers listed in any order still read low to high, bottom to top.
    const values = d.kind === 'list' ? (d.values.every((v) => typeof v === 'number') ? [...d.values].sort((a, b) => Number(a) - Number(b)) : d.values) : [d.value];
    return { key: d.key, log: false, values, low: 0, high: 1 };
  });
  const accs = trials.map((t) => t.best).filter((b): b is number => b !== null);
  // The accuracy axis spans what the trials reached, so close trials still spread out.
  const low = accs.length ? Math.min(...accs) : 0;
  const high = accs.length ? Math.max(...accs) : 1;
  axes.push({ key: ACC, log: false, values: null, low: high > low ? low : low - 0.01, high: high > low ? high : high + 0.01 });
  return axes;
}

export function valueOf(axis: Axis, t: TrialInfo): ParamValue | null {
  return axis.key === ACC ? t.best : (t.params[axis.key] ?? null);
}

/** Where a value sits on its axis, 0 to 1; null when the trial has none (no epoch yet). */
export function position(axis: Axis, v: ParamValue | null): number | null {
  if (v === null) return null;
  if (axis.values) {
    const i = axis.values.indexOf(v);
    return axis.values.length === 1 ? 0.5 : i < 0 ? null : i / (axis.values.length - 1);
  }
  const n = Number(v);
  const f = axis.log ? (Math.log(n) - Math.log(axis.low)) / (Math.log(axis.high) - Math.log(axis.low)) : (n - axis.low) / (axis.high - axis.low);
  return Math.min(1, Math.max(0, f));
}

export function passes(axes: Axis[], brushes: Record<string, Brush>, t: TrialInfo): boolean {
  return axes.every((a) => {
    const b = brushes[a.key];
    if (!b) return true;
    const p = position(a, valueOf(a, t));
    return p !== null && p >= b.lo - 1e-9 && p <= b.hi + 1e-9;
  });
}

/** Red (worst) to green (best) over the accuracy axis. */
export function colorOf(axis: Axis, acc: number | null): string {
  if (acc === null) return 'var(--fg-faint, #999)';
  const f = position(axis, acc) ?? 0;
  return `hsl(${Math.round(f * 120)} 70% 42%)`;
}

export function formatValue(v: ParamValue | null): string {
  if (v === null) return '–';
  if (typeof v === 'number') return Math.abs(v) > 0 && Math.abs(v) < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
  return String(v);
}

/** Labels along an axis: every listed value, else the ends and the middle. */
export function ticks(axis: Axis): { pos: number; label: string }[] {
  if (axis.values) return axis.values.map((v) => ({ pos: position(axis, v)!, label: formatValue(v) }));
  const mid = axis.log ? Math.sqrt(axis.low * axis.high) : (axis.low + axis.high) / 2;
  const fmt = (v: number) => (axis.key === ACC ? `${(v * 100).toFixed(1)}%` : formatValue(v));
  return [axis.low, mid, axis.high].map((v) => ({ pos: position(axis, v)!, label: fmt(v) }));
}
