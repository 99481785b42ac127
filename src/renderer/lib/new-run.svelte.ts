// New run state: preset and dataset, the editable hyperparameters (opening on those last started), the debounced
// runs:preview (its model summary or every validation problem), seed repeats and a sweep grid, and starting
// everything it plans.

import type { PresetInfo } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import type { RunInfo, RunTarget } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';
import { fieldLabel, problemsOf, toForm, toHyperparams, type FormValues } from './hyperparam-form.js';
import type { Issue } from '../../shared/schema.js';
import { choiceOf, readPrefs, savePrefs, type Prefs } from './prefs.js';
import type { KeyValueStore } from './selections.js';
import { grid, parseValues, SWEEP_FIELDS, type GridPoint, type SweepAxis } from './sweep.js';
import type { DatasetInfo } from '../../shared/types.js';

/** Problems in the GUI's words: "Batch size: must be an integer from 1 to 4096 (got 0)". */
function labelled(issues: Issue[]): string {
  return issues.map((i) => (i.path ? `${fieldLabel(i.path)}: ${i.message}` : i.message)).join('\n');
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
  #problems = $state.raw<Issue[]>([]);
  #previewing = $state(false);
  #starting = $state(false);
  #startError = $state<string | null>(null);
  /** Where the runs train: this machine, or the worker pool (offered when one is set up). */
  target = $state<RunTarget>('local');
  #poolUrl = $state<string | null>(null);
  #seq = 0;
  readonly #store: KeyValueStore;

  /** `store` keeps the last started preset, hyperparameters and dataset (localStorage in the app). */
  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** The training set last started on, for the view's dataset default (prefs.ts pickDataset). */
  get remembered(): Prefs {
    return readPrefs(this.#store);
  }

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
  /** Every problem of the current settings (empty when they are valid), each with its field's path. */
  get problems(): Issue[] {
    return this.#problems;
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
      if (!this.form) this.#restore();
    } catch (err) {
      this.#presetsError = message(err);
    }
  }

  /** Opens on the preset and hyperparameters of the last run started (over the preset's values, so a field
   *  added since keeps its default), else on the first preset. */
  #restore(): void {
    const saved = readPrefs(this.#store);
    const known = this.#presets.find((p) => p.name === saved.preset);
    if (!known) return this.choosePreset(this.presetInfo ? this.preset : this.#presets[0].name);
    this.preset = known.name;
    this.form = toForm({ ...known.hyperparams, ...saved.hyperparams });
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
      this.#problems = [];
    } catch (err) {
      if (seq !== this.#seq) return;
      this.#problems = problemsOf(err);
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
  async start(datasets: DatasetInfo[] = []): Promise<RunInfo[] | null> {
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
          throw new Error(`${p.label ? `${p.label}: ` : ''}${labelled(problemsOf(err))}`);
        });
      }
      for (const p of points) {
        const seeds = this.repeatCount > 1 ? Array.from({ length: this.repeatCount }, (_, i) => p.hyperparams.seed + i) : undefined;
        started.push(...(await api.call('runs:start', { datasetId: this.datasetId, preset: this.preset, hyperparams: p.hyperparams, seeds, target: this.target })));
      }
      // The next New run opens on what was just started (the sweep's base values, not one grid point).
      if (this.form) savePrefs(this.#store, { preset: this.preset, hyperparams: toHyperparams(this.form), train: choiceOf(datasets, this.datasetId) });
      return started;
    } catch (err) {
      this.#startError = started.length ? `${message(err)} (${started.length === 1 ? '1 run was' : `${started.length} runs were`} queued before this)` : message(err);
      return null;
    } finally {
      this.#starting = false;
    }
  }
}
