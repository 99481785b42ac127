// The New run form's learning-rate finder: one range test at a time on the chosen dataset and settings (the latest
// request wins), its curve and suggestion.

import type { Hyperparams } from '../../shared/hyperparams.js';
import type { LrFindResult } from '../../shared/runs.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export class LrFinder {
  readonly #result = new Remote<LrFindResult>();

  get result(): LrFindResult | null {
    return this.#result.value;
  }
  get loading(): boolean {
    return this.#result.loading;
  }
  get error(): string | null {
    return this.#result.error;
  }

  async find(opts: { datasetId: number; preset: string; hyperparams: Hyperparams }): Promise<void> {
    await this.#result.run(() => api.call('runs:lr-find', { datasetId: opts.datasetId, preset: opts.preset, hyperparams: { ...opts.hyperparams } }));
  }

  clear(): void {
    this.#result.clear();
  }
}
