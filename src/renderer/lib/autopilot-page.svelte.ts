// The Autopilot page: the form's plan preview (asked of the core, which may calibrate first), the jobs, the chosen
// job followed live (every second while it works), start, stop, resume, and its submission saved or downloaded
// through the same export flow as the Submissions page.

import { parseBudget, type AutopilotJobInfo, type AutopilotPlan } from '../../shared/autopilot.js';
import { api } from './api.js';
import { Exporter } from './exporter.svelte.js';
import { message } from './format.js';
import { Remote } from './remote.svelte.js';

export interface AutopilotForm {
  datasetId: number;
  testDatasetId: number;
  budgetSeconds: number;
  target: 'local' | 'pool';
}

/** The budget field's text as seconds, or the reason it is not a budget. */
export function budgetOf(text: string): { seconds: number; error: null } | { seconds: null; error: string } {
  try {
    return { seconds: parseBudget(text), error: null };
  } catch (err) {
    return { seconds: null, error: `Budget: ${(err as Error).message}` };
  }
}

export class AutopilotPage {
  readonly #jobs = new Remote<AutopilotJobInfo[]>({ loading: true });
  readonly #plan = new Remote<AutopilotPlan>();
  /** The form the shown plan was made for (a changed form hides it: it no longer says what Start would do). */
  #planned = $state.raw<AutopilotForm | null>(null);
  #id = $state<number | null>(null);
  #busy = $state(false);
  #actionError = $state<string | null>(null);
  readonly exporter = new Exporter();

  constructor(id: number | null) {
    this.#id = id;
  }

  get jobs(): AutopilotJobInfo[] {
    return this.#jobs.value ?? [];
  }
  get jobsLoading(): boolean {
    return this.#jobs.loading;
  }
  get jobsError(): string | null {
    return this.#jobs.error;
  }
  get id(): number | null {
    return this.#id;
  }
  get job(): AutopilotJobInfo | null {
    return this.jobs.find((j) => j.id === this.#id) ?? null;
  }
  get plan(): AutopilotPlan | null {
    return this.#plan.value;
  }
  get planning(): boolean {
    return this.#plan.loading;
  }
  get planError(): string | null {
    return this.#plan.error;
  }
  get planned(): AutopilotForm | null {
    return this.#planned;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get actionError(): string | null {
    return this.#actionError;
  }

  /** Follows jobs started anywhere (the CLI, another window) and their progress; returns the unsubscribe. */
  start(): () => void {
    void this.refresh();
    const offExport = this.exporter.start();
    let pending: ReturnType<typeof setTimeout> | undefined;
    const off = api.onEvent((event) => {
      if (event.type !== 'autopilot:changed' && !(event.type === 'run:status' && this.job?.members.some((m) => m.runId === event.runId))) return;
      // A working job says so every second: one refresh per burst is enough.
      pending ??= setTimeout(() => {
        pending = undefined;
        void this.refresh();
      }, 250);
    });
    return () => {
      off();
      offExport();
      if (pending) clearTimeout(pending);
    };
  }

  async refresh(): Promise<void> {
    await this.#jobs.run(() => api.call('autopilot:list', undefined), { keep: true });
    if (this.#id === null && this.jobs.length) this.#id = this.jobs[0].id;
  }

  select(id: number): void {
    this.#id = id;
  }

  /** Asks the core for the plan of this form (it may time a preset first, which takes a few seconds). */
  async preview(form: AutopilotForm): Promise<void> {
    this.#planned = form;
    await this.#plan.run(() => api.call('autopilot:plan', form));
  }

  /** The form changed: the plan shown was for another one. */
  forget(): void {
    this.#plan.clear();
    this.#planned = null;
  }

  async startJob(form: AutopilotForm): Promise<void> {
    await this.#act(async () => {
      const job = await api.call('autopilot:start', form);
      this.#id = job.id;
      this.forget();
      await this.refresh();
    });
  }

  async stop(id: number): Promise<void> {
    await this.#act(async () => void (await api.call('autopilot:stop', { id })));
  }

  async resume(id: number): Promise<void> {
    await this.#act(async () => void (await api.call('autopilot:resume', { id })));
  }

  /** The job's ensemble as a submission file: a save dialog on the desktop, a download in the browser. */
  async save(job: AutopilotJobInfo): Promise<void> {
    await this.exporter.export({ runIds: job.ensemble, datasetId: job.testDatasetId, weights: 'best', tta: job.tta === true });
  }

  async #act(action: () => Promise<void>): Promise<void> {
    this.#busy = true;
    this.#actionError = null;
    try {
      await action();
      await this.refresh();
    } catch (err) {
      this.#actionError = message(err);
    } finally {
      this.#busy = false;
    }
  }
}
