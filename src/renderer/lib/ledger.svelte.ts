// The submission ledger: every exported file (runs, weights, TTA, sha256, accuracy when known) with the Kaggle
// score the user recorded; reloaded on 'submissions:changed' from any client.

import type { SubmissionInfo } from '../../shared/submissions.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { message } from './format.js';

class Ledger {
  #list = $state.raw<SubmissionInfo[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #started = false;

  get list(): SubmissionInfo[] {
    return this.#list;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    api.onEvent((e) => e.type === 'submissions:changed' && void this.load());
    connection.onReconnect(() => void this.load());
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.#list = [...(await api.call('submissions:list', undefined))].sort((a, b) => b.id - a.id);
      this.#error = null;
      this.#loaded = true;
    } catch (err) {
      this.#error = message(err);
    }
  }

  /** Records (or clears, with null) the public score Kaggle gave a file; the core answers with the note. */
  async score(id: number, score: number | null): Promise<SubmissionInfo> {
    const saved = await api.call('submissions:score', { id, score });
    this.#list = this.#list.map((s) => (s.id === id ? saved : s));
    return saved;
  }
}

export const ledger = new Ledger();
