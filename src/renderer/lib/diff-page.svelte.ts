// Run B against run A on the same validation images: the digits B fixed and broke, with both accuracies, and
// the runs' details (the inspector's dataset and augmentation). The core refuses runs validated differently.

import type { RunDiff } from '../../shared/analysis.js';
import type { RunDetail } from '../../shared/runs.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export class DiffPage {
  readonly #page = new Remote<{ diff: RunDiff; details: RunDetail[] }>();

  get diff(): RunDiff | null {
    return this.#page.value?.diff ?? null;
  }
  get details(): RunDetail[] {
    return this.#page.value?.details ?? [];
  }
  get loading(): boolean {
    return this.#page.loading;
  }
  get error(): string | null {
    return this.#page.error;
  }

  async load(a: number | null, b: number | null): Promise<void> {
    if (!a || !b) return this.#page.clear();
    await this.#page.run(async () => {
      const [diff, ...details] = await Promise.all([
        api.call('analysis:diff', { runA: a, runB: b }),
        api.call('runs:get', { id: a }),
        api.call('runs:get', { id: b }),
      ]);
      return { diff, details };
    });
  }
}
