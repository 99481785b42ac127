// Settings → Workers state: the pool's URL (masked), its workers and queue, refreshed every few seconds while
// the panel is open; saving a URL connects first, so a bad one is an error here, not at the next run.

import type { WorkersStatus } from '../../shared/workers.js';
import { api } from './api.js';
import { message } from './format.js';

const REFRESH_MS = 3000;

export class WorkersState {
  #status = $state.raw<WorkersStatus | null>(null);
  #url = $state<string | null>(null);
  #error = $state<string | null>(null);
  #saveError = $state<string | null>(null);
  #saving = $state(false);
  #timer: ReturnType<typeof setInterval> | null = null;

  get status(): WorkersStatus | null {
    return this.#status;
  }
  /** The saved URL, password masked. */
  get url(): string | null {
    return this.#url;
  }
  get error(): string | null {
    return this.#error;
  }
  get saveError(): string | null {
    return this.#saveError;
  }
  get saving(): boolean {
    return this.#saving;
  }

  async refresh(): Promise<void> {
    try {
      this.#url = (await api.call('workers:url', undefined)).url;
      this.#status = this.#url === null ? null : await api.call('workers:status', undefined);
      this.#error = null;
    } catch (err) {
      this.#error = message(err);
    }
  }

  start(): () => void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => {
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
    };
  }

  /** Saves (after a successful connection) or, with null, forgets the URL. */
  async save(url: string | null): Promise<boolean> {
    this.#saving = true;
    this.#saveError = null;
    try {
      this.#url = (url === null ? await api.call('workers:clear-url', undefined) : await api.call('workers:set-url', { url })).url;
      await this.refresh();
      return true;
    } catch (err) {
      this.#saveError = message(err);
      return false;
    } finally {
      this.#saving = false;
    }
  }
}
