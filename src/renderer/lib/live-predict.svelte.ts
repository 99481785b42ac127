// Live predictions for the Draw view: while the pen moves, at most one 'predict:image' per ~100 ms with the
// latest drawing; answers to older drawings are dropped.

import { api } from './api.js';
import { encodeBytes } from './digits.js';
import { message } from './format.js';

const DEBOUNCE_MS = 100;

export class LivePredict {
  #probs = $state.raw<number[] | null>(null);
  #label = $state<number | null>(null);
  #input = $state<string | null>(null);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pending: { runId: number; weights: 'best' | 'last'; pixels: Uint8Array } | null = null;
  #seq = 0;

  get probs(): number[] | null {
    return this.#probs;
  }
  get label(): number | null {
    return this.#label;
  }
  /** The 28×28 bytes (base64) behind the shown probabilities. */
  get input(): string | null {
    return this.#input;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }

  /** While drawing: the latest drawing is predicted when the debounce window closes. */
  schedule(runId: number, weights: 'best' | 'last', pixels: Uint8Array): void {
    this.#pending = { runId, weights, pixels };
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#flush();
    }, DEBOUNCE_MS);
  }

  /** A finished stroke, a loaded digit or another model: predict now. */
  now(runId: number, weights: 'best' | 'last', pixels: Uint8Array): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = { runId, weights, pixels };
    this.#flush();
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
    this.#seq++;
    this.#probs = null;
    this.#label = null;
    this.#input = null;
    this.#error = null;
    this.#busy = false;
  }

  #flush(): void {
    const job = this.#pending;
    this.#pending = null;
    if (!job) return;
    const seq = ++this.#seq;
    const pixels = encodeBytes(job.pixels);
    this.#busy = true;
    api.call('predict:image', { runId: job.runId, weights: job.weights, pixels }).then(
      (r) => {
        if (seq !== this.#seq) return;
        this.#probs = r.probs;
        this.#label = r.label;
        this.#input = pixels;
        this.#error = null;
        this.#busy = false;
      },
      (err) => {
        if (seq !== this.#seq) return;
        this.#error = message(err);
        this.#busy = false;
      },
    );
  }
}
