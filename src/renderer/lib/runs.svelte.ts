// Runs state: the table's rows from runs:list, patched live by run:status and refreshed (coalesced) after
// status changes and completed epochs, a deleted run dropped at once; the latest in-epoch progress per running run.

import type { RunInfo, RunProgress } from '../../shared/runs.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { Remote } from './remote.svelte.js';

/** Exported for its unit tests (each makes its own over a fake transport); the app uses `runs` below. */
export class RunsStore {
  readonly #remote = new Remote<RunInfo[]>();
  #progress = $state.raw<Record<number, RunProgress>>({});
  #started = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  get #rows(): RunInfo[] {
    return this.#remote.value ?? [];
  }

  get list(): RunInfo[] {
    return this.#rows;
  }
  get loading(): boolean {
    return this.#remote.loading;
  }
  get loaded(): boolean {
    return this.#remote.loaded;
  }
  get error(): string | null {
    return this.#remote.error;
  }
  progressOf(id: number): RunProgress | undefined {
    return this.#progress[id];
  }

  /** Subscribes to the core's events once; returns the unsubscribe (the app keeps its one store for good). */
  start(): () => void {
    if (this.#started) return () => undefined;
    this.#started = true;
    const offEvents = api.onEvent((event) => {
      if (event.type === 'run:status') {
        const known = this.#rows.some((r) => r.id === event.runId);
        if (known) this.#remote.set(this.#rows.map((r) => (r.id === event.runId ? { ...r, status: event.status, error: event.error } : r)));
        if (event.status !== 'running' && this.#progress[event.runId]) {
          const { [event.runId]: _gone, ...rest } = this.#progress;
          this.#progress = rest;
        }
        this.refreshSoon(known ? 400 : 50);
      } else if (event.type === 'run:started') {
        this.#remote.set(this.#rows.map((r) => (r.id === event.runId ? { ...r, backend: event.backend, backendNote: event.backendNote } : r)));
      } else if (event.type === 'run:epoch') {
        this.refreshSoon(400);
      } else if (event.type === 'run:progress') {
        this.#progress = { ...this.#progress, [event.progress.runId]: event.progress };
      } else if (event.type === 'run:changed') {
        // Deleted here or by another client: gone at once, and a fresh list supersedes one fetched before the
        // delete that may still be on its way (it would bring the run back).
        if (!event.deleted) return this.refreshSoon(400);
        this.#remote.set(this.#rows.filter((r) => r.id !== event.runId));
        void this.load();
      }
    });
    const offReconnect = connection.onReconnect(() => void this.load());
    void this.load();
    return () => {
      offEvents();
      offReconnect();
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    };
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
    // The table stays as it is while it refreshes; a failed refresh shows its error above it.
    await this.#remote.run(() => api.call('runs:list', undefined), { keep: true });
  }

  /** Replaces one row with the core's answer (stop, resume, update return the run). */
  patch(run: RunInfo): void {
    this.#remote.set(this.#rows.map((r) => (r.id === run.id ? run : r)));
  }

  async stop(id: number): Promise<void> {
    this.patch(await api.call('runs:stop', { id }));
  }
  async resume(id: number): Promise<void> {
    this.patch(await api.call('runs:resume', { id }));
  }
  async remove(id: number): Promise<void> {
    await api.call('runs:delete', { id });
    this.#remote.set(this.#rows.filter((r) => r.id !== id));
  }
  async update(id: number, changes: { notes?: string; tags?: string[] }): Promise<RunInfo> {
    const run = await api.call('runs:update', { id, ...changes });
    this.patch(run);
    return run;
  }
}

export const runs = new RunsStore();
