// The Compare view's state: the chosen runs, their comparison from 'analysis:compare' (curves, flattened
// hyperparameters, seed groups, warnings) and the curve metric over epochs or cumulative training time.

import type { Comparison, CompareRun } from '../../shared/analysis.js';
import { api } from './api.js';
import { message } from './format.js';

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

export class ComparePage {
  #ids = $state.raw<number[]>([]);
  #result = $state.raw<Comparison | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #seq = 0;

  constructor(ids: number[]) {
    this.#ids = ids;
  }

  get ids(): number[] {
    return this.#ids;
  }
  get result(): Comparison | null {
    return this.#result;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  select(ids: number[]): void {
    this.#ids = [...new Set(ids)].sort((a, b) => a - b);
    void this.load();
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    const ids = this.#ids;
    this.#error = null;
    if (ids.length === 0) {
      this.#result = null;
      this.#loading = false;
      return;
    }
    this.#loading = true;
    try {
      const result = await api.call('analysis:compare', { runIds: ids });
      if (seq === this.#seq) this.#result = result;
    } catch (err) {
      if (seq === this.#seq) this.#error = message(err);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }
}
