// Proposing the next trial's parameters: grid (in order), random (uniform, log-uniform for log ranges) and TPE
// (Bergstra et al. 2011, as Optuna's TPESampler does it: split the finished trials by a quantile into good and bad,
// fit one Parzen estimator per parameter to each, and take of 24 draws from the good one the draw that maximises
// l(x)/g(x), the expected-improvement ratio). Hand-written: no maintained JS TPE exists.
// Every draw comes from mulberry32(seed, trial number), so the same seed over the same results repeats itself.

import { badInput } from '../../shared/errors.js';
import { mixSeed, mulberry32 } from '../../shared/random.js';
import { gridPoints, type Dimension, type ParamValue } from '../../shared/sweep-space.js';
import type { Search } from '../../shared/sweeps.js';
import { categoricalParzen, logPdfNumeric, numericParzen, sampleCategorical, sampleNumeric } from './parzen.js';

export interface Finished {
  params: Record<string, ParamValue>;
  /** Best validation accuracy (higher is better). */
  value: number;
}

type Range = Extract<Dimension, { kind: 'range' }>;

const CANDIDATES = 24;

/** TPE starts from random trials until it has something to model; a quarter of the budget, 2 to 10 of them. */
export function startupTrials(trials: number): number {
  return Math.min(10, Math.max(2, Math.floor(trials / 4)));
}

/** Optuna's default gamma: the best 10% (at most 25) are "good". */
const goodCount = (n: number) => Math.min(Math.ceil(0.1 * n), 25);

// A range is searched in its own space: log for log ranges, widened by ½ for integers so the ends are as likely.
function lowHigh(d: Range): [number, number] {
  if (d.log) return d.integer ? [Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low), Math.log(d.high + 0.5)] : [Math.log(d.low), Math.log(d.high)];
  return d.integer ? [d.low - 0.5, d.high + 0.5] : [d.low, d.high];
}
const toSpace = (d: Range, v: number) => (d.log ? Math.log(v) : v);
function fromSpace(d: Range, x: number): number {
  const v = d.log ? Math.exp(x) : x;
  return d.integer ? Math.min(d.high, Math.max(d.low, Math.round(v))) : Math.min(d.high, Math.max(d.low, v));
}

function randomValue(d: Dimension, rng: () => number): ParamValue {
  if (d.kind === 'fixed') return d.value;
  if (d.kind === 'list') return d.values[Math.floor(rng() * d.values.length)];
  const [lo, hi] = lowHigh(d);
  return fromSpace(d, lo + rng() * (hi - lo));
}

function tpeValue(d: Dimension, good: Finished[], bad: Finished[], rng: () => number): ParamValue {
  if (d.kind === 'fixed') return d.value;
  if (d.kind === 'list') {
    const idx = (set: Finished[]) => set.map((f) => d.values.indexOf(f.params[d.key])).filter((i) => i >= 0);
    const l = categoricalParzen(idx(good), d.values.length);
    const g = categoricalParzen(idx(bad), d.values.length);
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < CANDIDATES; c++) {
      const i = sampleCategorical(l, rng);
      const score = Math.log(l[i]) - Math.log(g[i]);
      if (score > bestScore) [best, bestScore] = [i, score];
    }
    return d.values[best];
  }
  const [lo, hi] = lowHigh(d);
  const xs = (set: Finished[]) => set.map((f) => f.params[d.key]).filter((v): v is number => typeof v === 'number').map((v) => toSpace(d, v));
  const l = numericParzen(xs(good), lo, hi);
  const g = numericParzen(xs(bad), lo, hi);
  let best = NaN;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const x = sampleNumeric(l, rng);
    const score = logPdfNumeric(l, x) - logPdfNumeric(g, x);
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return fromSpace(d, best);
}

/** The parameters of trial number `trial` (from 0), given the trials finished so far. */
export function propose(opts: { search: Search; dims: Dimension[]; seed: number; trial: number; trials: number; finished: Finished[] }): Record<string, ParamValue> {
  const { dims, finished } = opts;
  if (opts.search === 'grid') {
    const points = gridPoints(dims);
    if (opts.trial >= points.length) throw badInput(`the grid has only ${points.length} points`);
    return points[opts.trial];
  }
  const rng = mulberry32(mixSeed(opts.seed, opts.trial));
  if (opts.search === 'random' || finished.length < startupTrials(opts.trials)) {
    return Object.fromEntries(dims.map((d) => [d.key, randomValue(d, rng)]));
  }
  // Ties keep their trial order so the split never depends on the sort's stability.
  const sorted = [...finished].sort((a, b) => b.value - a.value);
  const n = goodCount(sorted.length);
  const good = sorted.slice(0, n);
  const bad = sorted.slice(n);
  return Object.fromEntries(dims.map((d) => [d.key, tpeValue(d, good, bad, rng)]));
}
