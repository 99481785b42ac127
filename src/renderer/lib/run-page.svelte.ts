// One run's page: its detail from runs:get (read again on run:started, for the backend, worker count and
// lineage the trainer just recorded), epochs appended live from run:epoch, and the latest in-epoch progress, so
// the charts and Elapsed move before an epoch ends.

import type { EpochMetrics, RunDetail, RunProgress, RunStatus } from '../../shared/runs.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { message } from './format.js';
import { elapsedSeconds, runSeries, type RunSeries } from './run-series.js';

export class RunPage {
  readonly id: number;
  #detail = $state.raw<RunDetail | null>(null);
  #epochs = $state.raw<EpochMetrics[]>([]);
  #progress = $state.raw<RunProgress | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(true);
  #off: (() => void)[] = [];

  constructor(id: number) {
    this.id = id;
  }

  get detail(): RunDetail | null {
    return this.#detail;
  }
  get epochs(): EpochMetrics[] {
    return this.#epochs;
  }
  /** What the charts draw: the same function whether the epochs came live or from a reload. */
  get series(): RunSeries {
    return runSeries(this.#epochs, this.#progress);
  }
  /** Seconds trained so far, counting the epoch in progress. */
  get elapsed(): number {
    return elapsedSeconds(this.#epochs, this.#progress);
  }
  get progress(): RunProgress | null {
    return this.#progress;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get status(): RunStatus | null {
    return this.#detail?.status ?? null;
  }

  start(): () => void {
    this.#off.push(
      api.onEvent((event) => {
        if (event.type === 'run:progress' && event.progress.runId === this.id) this.#onProgress(event.progress);
        else if (event.type === 'run:epoch' && event.runId === this.id) this.#onEpoch(event.metrics);
        else if (event.type === 'run:status' && event.runId === this.id) this.#onStatus(event.status, event.error);
        else if (event.type === 'run:started' && event.runId === this.id && this.#detail) {
          this.#detail = { ...this.#detail, backend: event.backend, backendNote: event.backendNote };
          void this.#reloadDetail();
        }
      }),
      connection.onReconnect(() => void this.load()),
    );
    void this.load();
    return () => this.#off.forEach((off) => off());
  }

  async load(): Promise<void> {
    try {
      const detail = await api.call('runs:get', { id: this.id });
      this.#detail = detail;
      this.#epochs = detail.epochs;
      this.#error = null;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#loading = false;
    }
  }

  /** The stored detail without touching the epochs, which run:epoch keeps current. */
  async #reloadDetail(): Promise<void> {
    try {
      const detail = await api.call('runs:get', { id: this.id });
      const status = this.#detail?.status === 'running' && detail.status === 'queued' ? 'running' : detail.status;
      this.#detail = { ...detail, status, epochsDone: Math.max(detail.epochsDone, this.#detail?.epochsDone ?? 0) };
    } catch {
      // The next status event reloads it; the page keeps what it shows.
    }
  }

  #onProgress(p: RunProgress): void {
    this.#progress = p;
    if (this.#detail && this.#detail.status !== 'running') this.#detail = { ...this.#detail, status: 'running' };
  }

  #onEpoch(m: EpochMetrics): void {
    this.#epochs = [...this.#epochs.filter((e) => e.epoch !== m.epoch), m].sort((a, b) => a.epoch - b.epoch);
    if (this.#detail) this.#detail = { ...this.#detail, epochsDone: Math.max(this.#detail.epochsDone, m.epoch) };
  }

  #onStatus(status: RunStatus, error: string | null): void {
    if (this.#detail) this.#detail = { ...this.#detail, status, error };
    if (status !== 'running') this.#progress = null;
    // Terminal states change best epoch, duration and images/s: read them from the core.
    void this.load();
  }

  setDetail(detail: RunDetail): void {
    this.#detail = detail;
  }
}
