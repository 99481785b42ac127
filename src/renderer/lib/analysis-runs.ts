// Which runs the analysis views offer (those with validation predictions), how they are named in pickers, and
// the series colours for several runs on one chart.

import type { RunInfo } from '../../shared/runs.js';
import { pct } from './format.js';

/** Runs with at least one validated epoch: they have stored validation predictions to analyse. */
export function analysable(list: RunInfo[]): RunInfo[] {
  return list.filter((r) => r.bestEpoch !== null && r.status !== 'running' && r.status !== 'queued').sort((a, b) => b.id - a.id);
}

export function runLabel(r: RunInfo): string {
  return `#${r.id} ${r.preset} · seed ${r.seed} · ${pct(r.bestValAcc)}`;
}

/** The completed run with the best validation accuracy (the Draw view's default model). */
export function bestRun(list: RunInfo[]): RunInfo | null {
  return analysable(list).reduce<RunInfo | null>((best, r) => ((r.bestValAcc ?? 0) > (best?.bestValAcc ?? -1) ? r : best), null);
}

/** Theme variables the Chart wrapper resolves. */
const PALETTE = ['--chart-1', '--chart-2', '--chart-3', '--violet', '--danger', '--warn', '--fg-muted', '--ok'];

/**
 * A run's colour, from its id (not its place in a list), so run #7 looks the same in every chart, table and
 * selection; ids a palette apart alternate solid and dashed lines.
 */
export function runColor(id: number): { color: string; dashed: boolean } {
  const i = Math.max(0, id - 1);
  return { color: PALETTE[i % PALETTE.length], dashed: Math.floor(i / PALETTE.length) % 2 === 1 };
}

/** Seed groups among the runs: groupKey → member runs (only groups of two or more). */
export function seedGroups(list: RunInfo[]): { key: string; runs: RunInfo[] }[] {
  const map = new Map<string, RunInfo[]>();
  for (const r of list) if (r.groupKey) map.set(r.groupKey, [...(map.get(r.groupKey) ?? []), r]);
  return [...map.entries()].filter(([, runs]) => runs.length > 1).map(([key, runs]) => ({ key, runs: runs.sort((a, b) => a.id - b.id) }));
}

/**
 * Whether runs were validated on the same images, from what the list knows: the same dataset and split settings,
 * and the same seed when the split draws with it (stratified, and k-fold whose fold index is among the settings).
 * Every preset validates on the file's tail, which no seed moves. Label-issue fold runs (one held-out fold each)
 * and stratified seed repeats fail this: their ensemble has no validation accuracy to show.
 */
export function sameValidation(runs: RunInfo[]): boolean {
  const split = (r: RunInfo) => JSON.stringify(Object.entries(r.params).filter(([k]) => k.startsWith('validation.')).sort());
  const mode = (r: RunInfo) => r.params['validation.mode'] ?? 'tail';
  const [first, ...rest] = runs;
  return rest.every((r) => r.datasetId === first.datasetId && split(r) === split(first) && (mode(r) === 'tail' || r.seed === first.seed));
}

/** Seed groups whose runs can be ensembled and scored on one validation set. */
export function ensembleGroups(list: RunInfo[]): { key: string; runs: RunInfo[] }[] {
  return seedGroups(list).filter((g) => sameValidation(g.runs));
}
