// A run's own log for its page's Log tab: read page by page from runs:log, then, while the run is live, the new
// lines every second (the log is in the store, so it also shows what another process's trainer wrote).

import type { RunLogLine } from '../../shared/lineage.js';
import { api } from './api.js';
import { message } from './format.js';

const POLL_MS = 1000;
/** The tab keeps the newest lines only; the whole log is in `digit-workbench logs --run ID`. */
export const SHOWN_LINES = 2000;

export class RunLog {
  readonly id: number;
  #lines = $state.raw<RunLogLine[]>([]);
  #error = $state<string | null>(null);
  #loaded = $state(false);
  #next = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #busy = false;

  constructor(id: number) {
    this.id = id;
  }

  get lines(): RunLogLine[] {
    return this.#lines;
  }
  get error(): string | null {
    return this.#error;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Reads every line after the last one shown. */
  async fetch(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (;;) {
        const page = await api.call('runs:log', { id: this.id, offset: this.#next });
        if (page.lines.length === 0) break;
        this.#next = page.next;
        this.#lines = [...this.#lines, ...page.lines].slice(-SHOWN_LINES);
      }
      this.#error = null;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#busy = false;
      this.#loaded = true;
    }
  }

  /** Reads new lines every second until the returned function is called. */
  poll(): () => void {
    let stopped = false;
    const tick = async () => {
      await this.fetch();
      if (!stopped) this.#timer = setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(this.#timer);
    };
  }
}
