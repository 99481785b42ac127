// The validation accuracy of an ensemble (mean of the runs' probabilities) next to each member's, from
// 'analysis:ensemble'; the core refuses runs validated on different images, and that message is shown.

import type { EnsembleValidation } from '../../shared/analysis.js';
import { api } from './api.js';
import { message } from './format.js';

export class EnsembleCheck {
  #result = $state.raw<EnsembleValidation | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #seq = 0;

  get result(): EnsembleValidation | null {
    return this.#result;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(runIds: number[]): Promise<void> {
    const seq = ++this.#seq;
    this.#result = null;
    this.#error = null;
    if (runIds.length === 0) return void (this.#loading = false);
    this.#loading = true;
    try {
      const result = await api.call('analysis:ensemble', { runIds });
      if (seq === this.#seq) this.#result = result;
    } catch (err) {
      if (seq === this.#seq) this.#error = message(err);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }
}
