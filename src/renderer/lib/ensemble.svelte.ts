// The validation accuracy of an ensemble (mean of the runs' probabilities) next to each member's, from
// 'analysis:ensemble'; the core refuses runs validated on different images, and that message is shown.

import type { EnsembleValidation } from '../../shared/analysis.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export class EnsembleCheck {
  readonly #result = new Remote<EnsembleValidation>();

  get result(): EnsembleValidation | null {
    return this.#result.value;
  }
  get loading(): boolean {
    return this.#result.loading;
  }
  get error(): string | null {
    return this.#result.error;
  }

  async load(runIds: number[]): Promise<void> {
    if (runIds.length === 0) return this.#result.clear();
    await this.#result.run(() => api.call('analysis:ensemble', { runIds }));
  }
}
