// New run state: preset and dataset, the editable hyperparameters, the debounced runs:preview (its model
// summary or its validation message), seed repeats and a sweep grid, and starting everything it plans.

import type { PresetInfo } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import type { RunInfo, RunTarget } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';
import { toForm, toHyperparams, type FormValues } from './hyperparam-form.js';
import { grid, parseValues, SWEEP_FIELDS, type GridPoint, type SweepAxis } from './sweep.js';

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
  #summary = $state.raw<ModelSummary | null>(null);
  #problem = $state.raw<Problem | null>(null);
  #previewing = $state(false);
  #starting = $state(false);
  #startError = $state<string | null>(null);
  /** Where the runs train: this machine, or the worker pool (offered when one is set up). */
  target = $state<RunTarget>('local');
  #poolUrl = $state<string | null>(null);
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

  /** The sweep's axes parsed; throws the first bad value's message. */
  get plan(): { points: GridPoint[]; error: string | null } {
    if (!this.form) return { points: [], error: null };
    const base = toHyperparams(this.form);
    if (!this.sweepOn) return { points: [{ hyperparams: base, label: '' }], error: null };
    try {
      const axes = this.axes.map((a) => {
        const field = SWEEP_FIELDS.find((f) => f.key === a.key) ?? SWEEP_FIELDS[0];
        return { field, values: parseValues(field, a.values) };
      });
      return { points: grid(base, axes), error: null };
    } catch (err) {
      return { points: [], error: message(err) };
    }
  }

  get repeatCount(): number {
    return Number.isInteger(this.repeat) && this.repeat >= 1 && this.repeat <= 50 ? this.repeat : 1;
  }

  get runCount(): number {
    return this.plan.points.length * this.repeatCount;
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

  /** The worker pool's URL (masked), or null when none is set up. */
  get poolUrl(): string | null {
    return this.#poolUrl;
  }

  async loadPool(): Promise<void> {
    try {
      this.#poolUrl = (await api.call('workers:url', undefined)).url;
    } catch {
      this.#poolUrl = null; // the choice then offers this machine only
    }
    if (this.#poolUrl === null) this.target = 'local';
  }

  /** Validates every grid point first so a bad value queues nothing, then queues them in order. */
  async start(): Promise<RunInfo[] | null> {
    const { points, error } = this.plan;
    if (error || points.length === 0 || this.datasetId === null) {
      this.#startError = error ?? (this.datasetId === null ? 'Pick a training dataset first.' : 'Nothing to run.');
      return null;
    }
    this.#starting = true;
    this.#startError = null;
    const started: RunInfo[] = [];
    try {
      for (const p of points) {
        await api.call('runs:preview', { preset: this.preset, hyperparams: p.hyperparams }).catch((err: unknown) => {
          throw new Error(`${p.label ? `${p.label}: ` : ''}${message(err)}`);
        });
      }
      for (const p of points) {
        const seeds = this.repeatCount > 1 ? Array.from({ length: this.repeatCount }, (_, i) => p.hyperparams.seed + i) : undefined;
        started.push(...(await api.call('runs:start', { datasetId: this.datasetId, preset: this.preset, hyperparams: p.hyperparams, seeds, target: this.target })));
      }
      return started;
    } catch (err) {
      this.#startError = started.length ? `${message(err)} (${started.length} run(s) were queued before this)` : message(err);
      return null;
    } finally {
      this.#starting = false;
    }
  }
}
