// Asynchronous successive halving (ASHA, Li et al. 2018), the rule Optuna's SuccessiveHalvingPruner uses: at each
// rung epoch minResource·η^k a trial goes on only if its validation accuracy is in the top 1/η of every trial that
// has reached that rung so far (itself included). Hand-written: no maintained JS library implements it, and the
// rule is a few lines once the rung results come from our own database.

import type { PruneSpec } from '../../shared/sweeps.js';

/** The epochs at which a trial of `epochs` epochs is judged (never its last epoch: by then it has finished). */
export function rungEpochs(spec: PruneSpec, epochs: number): number[] {
  const rungs: number[] = [];
  for (let r = spec.minResource; r < epochs; r *= spec.reductionFactor) rungs.push(r);
  return rungs;
}

/**
 * Whether a trial with `value` at a rung is promoted, given every value recorded at that rung (including its own).
 * While fewer than η trials have reached the rung, only a trial at least as good as all of them goes on: nothing
 * here can be paused and resumed later, so early trials are judged against what exists (as Optuna does).
 */
export function promoted(value: number, competing: number[], reductionFactor: number): boolean {
  const sorted = [...competing].sort((a, b) => b - a);
  const k = Math.max(1, Math.floor(sorted.length / reductionFactor));
  return value >= sorted[k - 1];
}

/** Replays reports in arrival order: which trials are pruned, and at which rung epoch. */
export function replay(spec: PruneSpec, epochs: number, reports: { trial: number; epoch: number; value: number }[]): Map<number, number> {
  const rungs = new Set(rungEpochs(spec, epochs));
  const atRung = new Map<number, number[]>();
  const pruned = new Map<number, number>();
  for (const r of reports) {
    if (pruned.has(r.trial) || !rungs.has(r.epoch)) continue;
    const values = [...(atRung.get(r.epoch) ?? []), r.value];
    atRung.set(r.epoch, values);
    if (!promoted(r.value, values, spec.reductionFactor)) pruned.set(r.trial, r.epoch);
  }
  return pruned;
}
