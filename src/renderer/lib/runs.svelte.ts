// Runs state: the table's rows from runs:list, patched live by run:status and refreshed (coalesced) after
// status changes and completed epochs; the latest in-epoch progress per running run.

import type { RunInfo, RunProgress } from '../../shared/runs.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { message } from './format.js';

class RunsStore {
  #list = $state.raw<RunInfo[]>([]);
  #progress = $state.raw<Record<number, RunProgress>>({});
  #loading = $state(false);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #started = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  get list(): RunInfo[] {
    return this.#list;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }
  progressOf(id: number): RunProgress | undefined {
    return this.#progress[id];
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    api.onEvent((event) => {
      if (event.type === 'run:status') {
        const known = this.#list.some((r) => r.id === event.runId);
        if (known) this.#list = this.#list.map((r) => (r.id === event.runId ? { ...r, status: event.status, error: event.error } : r));
        if (event.status !== 'running' && this.#progress[event.runId]) {
          const { [event.runId]: _gone, ...rest } = this.#progress;
          this.#progress = rest;
        }
        this.refreshSoon(known ? 400 : 50);
      } else if (event.type === 'run:epoch') {
        this.refreshSoon(400);
      } else if (event.type === 'run:progress') {
        this.#progress = { ...this.#progress, [event.progress.runId]: event.progress };
      }
    });
    connection.onReconnect(() => void this.load());
    void this.load();
  }

  /** Coalesces bursts of events (a sweep queues many runs) into one runs:list. */
  refreshSoon(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.load();
    }, ms);
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      this.#list = await api.call('runs:list', undefined);
      this.#error = null;
      this.#loaded = true;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#loading = false;
    }
  }

  /** Replaces one row with the core's answer (stop, resume, update return the run). */
  patch(run: RunInfo): void {
    this.#list = this.#list.map((r) => (r.id === run.id ? run : r));
  }

  async stop(id: number): Promise<void> {
    this.patch(await api.call('runs:stop', { id }));
  }
  async resume(id: number): Promise<void> {
    this.patch(await api.call('runs:resume', { id }));
  }
  async remove(id: number): Promise<void> {
    await api.call('runs:delete', { id });
    this.#list = this.#list.filter((r) => r.id !== id);
  }
  async update(id: number, changes: { notes?: string; tags?: string[] }): Promise<RunInfo> {
    const run = await api.call('runs:update', { id, ...changes });
    this.patch(run);
    return run;
  }
}

export const runs = new RunsStore();
