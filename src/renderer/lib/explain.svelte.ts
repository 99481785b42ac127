// The "why" of one digit: its saliency map from 'analysis:explain' (computed in a trainer process, so it shows
// loading) and the augmentation preview from 'analysis:augment'. A newer request supersedes an older one.

import { api } from './api.js';
import { message } from './format.js';

export interface Explanation {
  runId: number;
  idx: number;
  cls: number;
  probs: number[];
  saliency: number[];
}

export class DigitWhy {
  #explanation = $state.raw<Explanation | null>(null);
  #augmented = $state.raw<string[] | null>(null);
  #explaining = $state(false);
  #augmenting = $state(false);
  #error = $state<string | null>(null);
  #augmentError = $state<string | null>(null);
  #seq = 0;
  #augSeq = 0;

  get explanation(): Explanation | null {
    return this.#explanation;
  }
  get augmented(): string[] | null {
    return this.#augmented;
  }
  get explaining(): boolean {
    return this.#explaining;
  }
  get augmenting(): boolean {
    return this.#augmenting;
  }
  get error(): string | null {
    return this.#error;
  }
  get augmentError(): string | null {
    return this.#augmentError;
  }

  reset(): void {
    this.#seq++;
    this.#augSeq++;
    this.#explanation = null;
    this.#augmented = null;
    this.#error = null;
    this.#augmentError = null;
    this.#explaining = false;
    this.#augmenting = false;
  }

  async explain(runId: number, datasetId: number, idx: number): Promise<void> {
    const seq = ++this.#seq;
    this.#explaining = true;
    this.#error = null;
    try {
      const r = await api.call('analysis:explain', { runId, datasetId, idx });
      if (seq === this.#seq) this.#explanation = { runId, idx, ...r };
    } catch (err) {
      if (seq === this.#seq) this.#error = message(err);
    } finally {
      if (seq === this.#seq) this.#explaining = false;
    }
  }

  async augment(runId: number, datasetId: number, idx: number): Promise<void> {
    const seq = ++this.#augSeq;
    this.#augmenting = true;
    this.#augmentError = null;
    try {
      const r = await api.call('analysis:augment', { runId, datasetId, idx, count: 16 });
      if (seq === this.#augSeq) this.#augmented = r.images;
    } catch (err) {
      if (seq === this.#augSeq) this.#augmentError = message(err);
    } finally {
      if (seq === this.#augSeq) this.#augmenting = false;
    }
  }
}
