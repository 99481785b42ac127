// One value fetched from the core, with the states every view shows (loading, error, loaded). The latest request
// wins: an answer to a request that was superseded or cleared is dropped, so fast clicking never shows stale data.

import { message } from './format.js';

export class Remote<T> {
  #value = $state.raw<T | null>(null);
  #loading = $state(false);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #seq = 0;

  constructor(opts: { loading?: boolean } = {}) {
    this.#loading = opts.loading ?? false;
  }

  get value(): T | null {
    return this.#value;
  }
  get loading(): boolean {
    return this.#loading;
  }
  /** True once a request has succeeded. */
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Fetches a new value. `keep` leaves the current value shown while the new one loads (refreshes). */
  async run(fetch: () => Promise<T>, opts: { keep?: boolean } = {}): Promise<void> {
    const seq = ++this.#seq;
    this.#error = null;
    if (!opts.keep) this.#value = null;
    this.#loading = true;
    try {
      const value = await fetch();
      if (seq !== this.#seq) return;
      this.#value = value;
      this.#loaded = true;
    } catch (err) {
      if (seq === this.#seq) this.#error = message(err);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  /** Drops the value and any answer still on its way. */
  clear(): void {
    this.#seq++;
    this.#value = null;
    this.#error = null;
    this.#loading = false;
  }

  /** Replaces the value locally (after an action whose answer is the new value). */
  set(value: T): void {
    this.#value = value;
  }
}
