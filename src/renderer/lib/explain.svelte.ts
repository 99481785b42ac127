// The "why" of one digit: its saliency map from 'analysis:explain' (computed in a trainer process, so it shows
// loading) and the augmentation preview from 'analysis:augment'. A newer request supersedes an older one.

import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export interface Explanation {
  runId: number;
  idx: number;
  cls: number;
  probs: number[];
  saliency: number[];
}

export class DigitWhy {
  readonly #explanation = new Remote<Explanation>();
  readonly #augmented = new Remote<string[]>();

  get explanation(): Explanation | null {
    return this.#explanation.value;
  }
  get augmented(): string[] | null {
    return this.#augmented.value;
  }
  get explaining(): boolean {
    return this.#explanation.loading;
  }
  get augmenting(): boolean {
    return this.#augmented.loading;
  }
  get error(): string | null {
    return this.#explanation.error;
  }
  get augmentError(): string | null {
    return this.#augmented.error;
  }

  reset(): void {
    this.#explanation.clear();
    this.#augmented.clear();
  }

  /** The previous map stays visible until the new digit's arrives. */
  async explain(runId: number, datasetId: number, idx: number): Promise<void> {
    await this.#explanation.run(async () => ({ runId, idx, ...(await api.call('analysis:explain', { runId, datasetId, idx })) }), { keep: true });
  }

  async augment(runId: number, datasetId: number, idx: number): Promise<void> {
    await this.#augmented.run(async () => (await api.call('analysis:augment', { runId, datasetId, idx, count: 16 })).images, { keep: true });
  }
}
