// What a sweep taught: how much each parameter explains the accuracy, and whether the best trial really beats
// the runner-up or only by seed noise.
// Importance is "fANOVA-lite": trials are binned per parameter (one bin per listed value, quartiles of a range in
// its own space), and the parameter's score is the between-bin variance of mean accuracy — the share of variance a
// one-parameter model explains — normalised over the parameters measured. Cheap, readable, and on few trials it
// says no more than it can: a parameter that never varied, or has fewer than two scored trials per bin on average,
// gets a verdict instead of a share (a 100% / 0% split from three trials is noise read as a finding).

import type { Db } from '../db/open.js';
import type { Dimension } from '../../shared/sweep-space.js';
import { MIN_TRIALS_PER_BIN, type BestComparison, type ParamImportance, type TrialInfo } from '../../shared/sweeps.js';

function binsOf(d: Dimension, scored: TrialInfo[]): number[] {
  if (d.kind !== 'range') return scored.map((t) => String(t.params[d.key])).map((v, _, all) => [...new Set(all)].indexOf(v));
  const xs = scored.map((t) => (d.log ? Math.log(Number(t.params[d.key])) : Number(t.params[d.key])));
  const sorted = [...xs].sort((a, b) => a - b);
  const edges = [1, 2, 3].map((q) => sorted[Math.floor((q * (sorted.length - 1)) / 4)]);
  return xs.map((x) => edges.filter((e) => x > e).length);
}

export function importance(dims: Dimension[], trials: TrialInfo[]): ParamImportance[] {
  const scored = trials.filter((t) => t.best !== null && t.status !== 'failed');
  const mean = scored.reduce((s, t) => s + t.best!, 0) / Math.max(1, scored.length);
  const raw = dims.map((d) => {
    const bins = binsOf(d, scored);
    const groups = new Map<number, number[]>();
    bins.forEach((b, i) => groups.set(b, [...(groups.get(b) ?? []), scored[i].best!]));
    const varied = new Set(scored.map((t) => String(t.params[d.key]))).size > 1;
    const verdict: ParamImportance['verdict'] = !varied ? 'never-varied' : scored.length < MIN_TRIALS_PER_BIN * groups.size ? 'too-few-trials' : 'measured';
    let between = 0;
    for (const values of groups.values()) {
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      between += values.length * (m - mean) ** 2;
    }
    return { key: d.key, verdict, score: verdict === 'measured' ? between / scored.length : 0 };
  });
  const total = raw.reduce((s, r) => s + r.score, 0);
  return raw.map((r) => ({ key: r.key, verdict: r.verdict, importance: r.verdict !== 'measured' ? null : total > 0 ? r.score / total : 0 }));
}

/** Standard deviation of best validation accuracy over a seed group, when it has at least two finished runs. */
function seedSpread(db: Db, groupKey: string | null): number | null {
  if (!groupKey) return null;
  const values = db
    .prepare('SELECT MAX(e.val_acc) FROM runs r JOIN epochs e ON e.run_id = r.id WHERE r.group_key = ? GROUP BY r.id')
    .pluck()
    .all(groupKey) as number[];
  if (values.length < 2) return null;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * The best trial against the runner-up. Noise is the standard deviation of their difference: from the seed groups'
 * spread when both were repeated over seeds, else binomial, sqrt(p(1−p)/n) each on n validation images. A gap
 * under two of those is "within noise": another seed could swap them.
 */
export function compareBest(db: Db, trials: TrialInfo[], valSize: number): BestComparison | null {
  const ranked = trials.filter((t) => t.best !== null).sort((a, b) => b.best! - a.best! || a.trial - b.trial);
  if (ranked.length < 2) return null;
  const [best, runnerUp] = ranked;
  const spreads = [seedSpread(db, best.groupKey), seedSpread(db, runnerUp.groupKey)];
  const fromSeeds = spreads[0] !== null && spreads[1] !== null;
  const se = (p: number) => Math.sqrt((p * (1 - p)) / Math.max(1, valSize));
  const noise = fromSeeds ? Math.hypot(spreads[0]!, spreads[1]!) : Math.hypot(se(best.best!), se(runnerUp.best!));
  const gap = best.best! - runnerUp.best!;
  return { best, runnerUp, gap, noise, noiseSource: fromSeeds ? 'seeds' : 'binomial', withinNoise: gap < 2 * noise };
}
