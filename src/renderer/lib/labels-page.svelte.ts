// The label-issues page: start a job (k fold runs), follow its runs, show the likely errors of the chosen job,
// keep the user's decision per row (relabel / exclude / keep) and save them as a new dataset version.

import type { LabelIssues, LabelJobInfo } from '../../shared/labels.js';
import type { ImportResult } from '../../shared/types.js';
import { api } from './api.js';
import { message } from './format.js';
import { Remote } from './remote.svelte.js';

export type Decision = { action: 'keep' } | { action: 'exclude' } | { action: 'relabel'; label: number };

export class LabelsPage {
  readonly #jobs = new Remote<LabelJobInfo[]>({ loading: true });
  readonly #issues = new Remote<LabelIssues>();
  #key = $state<string | null>(null);
  #decisions = $state.raw<Record<number, Decision>>({});
  #busy = $state(false);
  #actionError = $state<string | null>(null);
  #saved = $state.raw<ImportResult | null>(null);

  constructor(key: string | null) {
    this.#key = key;
  }

  get jobs(): LabelJobInfo[] {
    return this.#jobs.value ?? [];
  }
  get jobsLoading(): boolean {
    return this.#jobs.loading;
  }
  get jobsError(): string | null {
    return this.#jobs.error;
  }
  get key(): string | null {
    return this.#key;
  }
  get job(): LabelJobInfo | null {
    return this.jobs.find((j) => j.key === this.#key) ?? null;
  }
  get issues(): LabelIssues | null {
    return this.#issues.value;
  }
  get issuesLoading(): boolean {
    return this.#issues.loading;
  }
  get issuesError(): string | null {
    return this.#issues.error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get actionError(): string | null {
    return this.#actionError;
  }
  get saved(): ImportResult | null {
    return this.#saved;
  }
  decision(row: number): Decision {
    return this.#decisions[row] ?? { action: 'keep' };
  }
  get changes(): { relabels: { row: number; label: number }[]; excludes: number[] } {
    const entries = Object.entries(this.#decisions).map(([row, d]) => [Number(row), d] as const);
    return {
      relabels: entries.flatMap(([row, d]) => (d.action === 'relabel' ? [{ row, label: d.label }] : [])),
      excludes: entries.flatMap(([row, d]) => (d.action === 'exclude' ? [row] : [])),
    };
  }

  /** Follows the fold runs: any status change refreshes the jobs (and the issues once the chosen job is done). */
  start(): () => void {
    void this.refresh();
    return api.onEvent((event) => {
      if (event.type !== 'run:status' || event.status === 'running') return;
      // A queued run may belong to a job started elsewhere (the CLI, another window).
      if (event.status === 'queued' || this.jobs.some((j) => j.runs.some((r) => r.id === event.runId))) void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    const before = this.job?.status;
    await this.#jobs.run(() => api.call('labels:jobs', undefined), { keep: true });
    if (this.#key === null && this.jobs.length) this.#key = this.jobs[0].key;
    if (this.job && (this.job.status !== before || !this.#issues.value)) await this.#loadIssues();
  }

  async select(key: string): Promise<void> {
    if (key === this.#key) return;
    this.#key = key;
    this.#decisions = {};
    this.#saved = null;
    await this.#loadIssues();
  }

  async #loadIssues(): Promise<void> {
    const key = this.#key;
    if (!key) return this.#issues.clear();
    await this.#issues.run(() => api.call('labels:issues', { key }), { keep: this.#issues.value?.job.key === key });
  }

  async startJob(opts: { datasetId: number; preset: string; folds: number; epochs: number }): Promise<void> {
    await this.#act(async () => {
      const job = await api.call('labels:start', opts);
      this.#key = job.key;
      this.#decisions = {};
      this.#saved = null;
      await this.refresh();
    });
  }

  decide(row: number, decision: Decision): void {
    this.#decisions = { ...this.#decisions, [row]: decision };
    this.#saved = null;
  }

  async saveVersion(name: string): Promise<void> {
    const job = this.job;
    if (!job) return;
    await this.#act(async () => {
      this.#saved = await api.call('datasets:version', { id: job.datasetId, ...this.changes, name: name.trim() || undefined });
    });
  }

  async #act(action: () => Promise<void>): Promise<void> {
    this.#busy = true;
    this.#actionError = null;
    try {
      await action();
    } catch (err) {
      this.#actionError = message(err);
    } finally {
      this.#busy = false;
    }
  }
}
