// Runs state: the table's rows from runs:list, patched live by run:status; after status changes, completed epochs
// and edits only the runs named are fetched again (coalesced: one runs:list {ids} for a burst), so thousands of
// runs are not re-sent for each event; a deleted run leaves at once. The latest in-epoch progress per running run.

import type { RunInfo, RunProgress } from '../../shared/runs.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { Remote } from './remote.svelte.js';
import { mergeRefreshed, uniqueIds } from './run-rows.js';

/** Rows in the first screen's preview: more than a tall window shows (rows are 28 px or more). */
const PREVIEW = 60;

/** Exported for its unit tests (each makes its own over a fake transport); the app uses `runs` below. */
export class RunsStore {
  readonly #remote = new Remote<RunInfo[]>();
  #progress = $state.raw<Record<number, RunProgress>>({});
  /** The newest runs, fetched first so the table paints before the whole list of thousands has arrived. */
  #preview = $state.raw<RunInfo[] | null>(null);
  #started = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Runs to fetch again at the next flush (null: the whole list). */
  #dirty: number[] | null = [];

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
  /** Until the whole list has loaded: the newest runs, newest first (null once loaded, or before they arrive). */
  get preview(): RunInfo[] | null {
    return this.#remote.loaded ? null : this.#preview;
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
        this.#edit(event.runId, (r) => ({ ...r, status: event.status, error: event.error }));
        if (event.status !== 'running' && this.#progress[event.runId]) {
          const { [event.runId]: _gone, ...rest } = this.#progress;
          this.#progress = rest;
        }
        this.refreshSoon(this.#has(event.runId) ? 400 : 50, event.runId);
      } else if (event.type === 'run:started') {
        this.#edit(event.runId, (r) => ({ ...r, backend: event.backend, backendNote: event.backendNote }));
      } else if (event.type === 'run:epoch') {
        this.refreshSoon(400, event.runId);
      } else if (event.type === 'run:changed') {
        if (!event.deleted) return this.refreshSoon(50, event.runId);
        // Deleted here or by another client: gone at once, and a fresh list supersedes one fetched before the
        // delete that may still be on its way (it would bring the run back).
        if (this.#dirty) this.#dirty = this.#dirty.filter((id) => id !== event.runId);
        this.#remote.set(this.#rows.filter((r) => r.id !== event.runId));
        void this.load();
      } else if (event.type === 'run:progress') {
        this.#progress = { ...this.#progress, [event.progress.runId]: event.progress };
      }
    });
    const offReconnect = connection.onReconnect(() => void this.load());
    // The whole list is asked for once the preview has arrived: asked together, the server would build the whole
    // list (hundreds of ms with thousands of runs) before its event loop got to send the deflated preview.
    api
      .call('runs:list', { limit: PREVIEW, newestFirst: true })
      .then(
        (rows) => {
          if (!this.#remote.loaded) this.#preview = rows;
        },
        // The whole list's own request reports a failure; the preview only saves time.
        () => undefined,
      )
      .finally(() => void this.load());
    return () => {
      offEvents();
      offReconnect();
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }

  #has(id: number): boolean {
    return this.#rows.some((r) => r.id === id);
  }

  /** Replaces one row (a copy of the list, one pass: the table's derived rows update once). */
  #edit(id: number, change: (run: RunInfo) => RunInfo): void {
    const rows = this.#rows;
    const i = rows.findIndex((r) => r.id === id);
    if (i < 0) return;
    const next = rows.slice();
    next[i] = change(rows[i]);
    this.#remote.set(next);
  }

  /**
   * Coalesces bursts of events (a sweep queues many runs) into one runs:list: of the runs named, or of every run
   * when no id is given.
   */
  refreshSoon(ms: number, id?: number): void {
    if (id === undefined) this.#dirty = null;
    else this.#dirty?.push(id);
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const ids = this.#dirty;
      this.#dirty = [];
      void (ids === null || !this.#remote.loaded ? this.load() : this.#refresh(uniqueIds(ids)));
    }, ms);
  }

  async load(): Promise<void> {
    // The table stays as it is while it refreshes; a failed refresh shows its error above it.
    await this.#remote.run(() => api.call('runs:list', undefined), { keep: true });
  }

  /** Fetches the named runs again and merges them in one pass: new ones join in id order, deleted ones leave. */
  async #refresh(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    let fresh: RunInfo[];
    try {
      fresh = await api.call('runs:list', { ids });
    } catch {
      // A failed partial refresh falls back to the whole list, which reports its error as a load does.
      return this.load();
    }
    this.#remote.set(mergeRefreshed(this.#rows, ids, fresh));
  }

  /** Replaces one row with the core's answer (stop, resume, update return the run). */
  patch(run: RunInfo): void {
    this.#edit(run.id, () => run);
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
