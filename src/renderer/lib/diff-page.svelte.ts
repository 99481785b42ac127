// Run B against run A on the same validation images: the digits B fixed and broke, with both accuracies, and
// the runs' details (the inspector's dataset and augmentation). The core refuses runs validated differently.

import type { RunDiff } from '../../shared/analysis.js';
import type { RunDetail } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';

export class DiffPage {
  #diff = $state.raw<RunDiff | null>(null);
  #details = $state.raw<RunDetail[]>([]);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #seq = 0;

  get diff(): RunDiff | null {
    return this.#diff;
  }
  get details(): RunDetail[] {
    return this.#details;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(a: number | null, b: number | null): Promise<void> {
    const seq = ++this.#seq;
    this.#diff = null;
    this.#error = null;
    if (!a || !b) return;
    this.#loading = true;
    try {
      const [diff, ...details] = await Promise.all([
        api.call('analysis:diff', { runA: a, runB: b }),
        api.call('runs:get', { id: a }),
        api.call('runs:get', { id: b }),
      ]);
      if (seq !== this.#seq) return;
      this.#diff = diff;
      this.#details = details;
    } catch (err) {
      if (seq === this.#seq) this.#error = message(err);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }
}
