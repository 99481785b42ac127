// The Compare view's state: the chosen runs, their comparison from 'analysis:compare' (curves, flattened
// hyperparameters, seed groups, warnings) and the curve metric over epochs or cumulative training time.

import type { Comparison, CompareRun } from '../../shared/analysis.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export type Metric = 'loss' | 'acc' | 'valLoss' | 'valAcc' | 'lr';
export type XAxis = 'epoch' | 'time';

/** One run's curve of a metric: x is the epoch, or the seconds trained up to the end of that epoch. */
export function curve(run: CompareRun, metric: Metric, x: XAxis): { x: number; y: number }[] {
  let elapsed = 0;
  const out: { x: number; y: number }[] = [];
  for (const e of run.epochs) {
    elapsed += e.seconds;
    const y = e[metric];
    if (y !== null && Number.isFinite(y)) out.push({ x: x === 'epoch' ? e.epoch : elapsed, y });
  }
  return out;
}

/** The ids in ascending order, each once (the address and the table list a run once however it was picked). */
function distinctSorted(ids: number[]): number[] {
  return [...ids].sort((a, b) => a - b).filter((id, i, sorted) => i === 0 || id !== sorted[i - 1]);
}

export class ComparePage {
  #ids = $state.raw<number[]>([]);
  readonly #result = new Remote<Comparison>();

  constructor(ids: number[]) {
    this.#ids = ids;
  }

  get ids(): number[] {
    return this.#ids;
  }
  get result(): Comparison | null {
    return this.#result.value;
  }
  get loading(): boolean {
    return this.#result.loading;
  }
  get error(): string | null {
    return this.#result.error;
  }

  select(ids: number[]): void {
    this.#ids = distinctSorted(ids);
    void this.load();
  }

  /** Follows the address (Back, Forward, a link): loads only when it names other runs than those shown. */
  show(ids: number[]): void {
    const next = distinctSorted(ids);
    if (next.join(',') !== this.#ids.join(',')) this.select(next);
  }

  async load(): Promise<void> {
    const ids = this.#ids;
    if (ids.length === 0) return this.#result.clear();
    // The previous comparison stays on screen while the new selection loads.
    await this.#result.run(() => api.call('analysis:compare', { runIds: ids }), { keep: true });
  }
}
