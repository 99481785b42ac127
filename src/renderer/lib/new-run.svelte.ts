// New run state: preset and dataset, the editable hyperparameters, the debounced runs:preview (its model
// summary or its validation message), seed repeats or a sweep (strategy, trials, pruning), and starting them.

import type { Hyperparams, PresetInfo } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import type { RunInfo } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';
import { toForm, toHyperparams, type FormValues } from './hyperparam-form.js';
import type { Search, SweepInfo } from '../../shared/sweeps.js';
import { sweepPlan, type SweepAxis, type SweepPlan } from './sweep.js';

/** What Start queued: runs, or a sweep whose trials the core proposes one by one. */
export type Started = { runs: RunInfo[] } | { sweep: SweepInfo };

export interface Problem {
  message: string;
  /** The failing field's path ("epochs", "reduceLrOnPlateau.factor", "model[3].filters"), when the core names one. */
  path: string | null;
}

function problemOf(err: unknown): Problem {
  const details = (err as { details?: { path?: unknown } }).details;
  return { message: message(err), path: typeof details?.path === 'string' && details.path ? details.path : null };
}

export class NewRun {
  #presets = $state.raw<PresetInfo[]>([]);
  #presetsError = $state<string | null>(null);
  preset = $state('seed-lenet5');
  datasetId = $state<number | null>(null);
  form = $state<FormValues | null>(null);
  repeat = $state(1);
  sweepOn = $state(false);
  axes = $state<SweepAxis[]>([{ key: 'learningRate', values: '0.001, 0.0005' }]);
  search = $state<Search>('grid');
  trials = $state(10);
  prune = $state(false);
  minResource = $state(1);
  reductionFactor = $state(3);
  #summary = $state.raw<ModelSummary | null>(null);
  #problem = $state.raw<Problem | null>(null);
  #previewing = $state(false);
  #starting = $state(false);
  #startError = $state<string | null>(null);
  #seq = 0;

  get presets(): PresetInfo[] {
    return this.#presets;
  }
  get presetsError(): string | null {
    return this.#presetsError;
  }
  get presetInfo(): PresetInfo | undefined {
    return this.#presets.find((p) => p.name === this.preset);
  }
  /** The preset's own values, shown as each field's default. */
  get defaults(): FormValues | null {
    const info = this.presetInfo;
    return info ? toForm(info.hyperparams) : null;
  }
  get summary(): ModelSummary | null {
    return this.#summary;
  }
  get problem(): Problem | null {
    return this.#problem;
  }
  get previewing(): boolean {
    return this.#previewing;
  }
  get starting(): boolean {
    return this.#starting;
  }
  get startError(): string | null {
    return this.#startError;
  }

  async loadPresets(): Promise<void> {
    try {
      this.#presets = await api.call('presets:list', undefined);
      this.#presetsError = null;
      if (!this.form) this.choosePreset(this.presetInfo ? this.preset : this.#presets[0].name);
    } catch (err) {
      this.#presetsError = message(err);
    }
  }

  choosePreset(name: string): void {
    this.preset = name;
    const info = this.presetInfo;
    if (info) this.form = toForm(info.hyperparams);
  }

  resetField<K extends keyof FormValues>(key: K): void {
    const d = this.defaults;
    if (this.form && d) this.form[key] = structuredClone(d[key]);
  }

  /** The sweep's axes parsed by the shared parser (null when no sweep), or its message naming the axis. */
  get plan(): { sweep: SweepPlan | null; error: string | null } {
    if (!this.form || !this.sweepOn) return { sweep: null, error: null };
    try {
      return { sweep: sweepPlan(this.axes, this.search, this.trials), error: null };
    } catch (err) {
      return { sweep: null, error: message(err) };
    }
  }

  get repeatCount(): number {
    return Number.isInteger(this.repeat) && this.repeat >= 1 && this.repeat <= 50 ? this.repeat : 1;
  }

  /** Runs Start queues: one per seed, or a sweep's trials (the core checks the values before queueing any). */
  get runCount(): number {
    if (this.sweepOn) return this.plan.sweep?.trials ?? 0;
    return this.repeatCount;
  }

  async preview(): Promise<void> {
    if (!this.form) return;
    const seq = ++this.#seq;
    this.#previewing = true;
    try {
      const { summary } = await api.call('runs:preview', { preset: this.preset, hyperparams: toHyperparams(this.form) });
      if (seq !== this.#seq) return;
      this.#summary = summary;
      this.#problem = null;
    } catch (err) {
      if (seq !== this.#seq) return;
      this.#problem = problemOf(err);
    } finally {
      if (seq === this.#seq) this.#previewing = false;
    }
  }

  /** Queues the run (with its seed repeats), or starts the sweep through sweeps:start. */
  async start(): Promise<Started | null> {
    const { sweep, error } = this.plan;
    if (error || !this.form || this.datasetId === null) {
      this.#startError = error ?? (this.datasetId === null ? 'Pick a training dataset first.' : 'Nothing to run.');
      return null;
    }
    const hyperparams: Hyperparams = toHyperparams(this.form);
    this.#starting = true;
    this.#startError = null;
    try {
      if (sweep) {
        const prune = this.prune ? { minResource: this.minResource, reductionFactor: this.reductionFactor } : undefined;
        const args = { datasetId: this.datasetId, preset: this.preset, hyperparams, params: sweep.params, search: this.search, prune };
        return { sweep: await api.call('sweeps:start', this.search === 'grid' ? args : { ...args, trials: sweep.trials }) };
      }
      const seeds = this.repeatCount > 1 ? Array.from({ length: this.repeatCount }, (_, i) => hyperparams.seed + i) : undefined;
      return { runs: await api.call('runs:start', { datasetId: this.datasetId, preset: this.preset, hyperparams, seeds }) };
    } catch (err) {
      this.#startError = message(err);
      return null;
    } finally {
      this.#starting = false;
    }
  }
}
