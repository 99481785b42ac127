// New run state: preset and dataset, the editable hyperparameters (opening on those last started), the debounced
// runs:preview (its model summary or every validation problem), seed repeats or a sweep (strategy, trials,
// pruning), where the runs train, and starting them.

import type { Hyperparams, PresetInfo } from '../../shared/hyperparams.js';
import type { ModelSummary } from '../../shared/model-spec.js';
import type { RunInfo, RunTarget } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';
import { fieldLabel, problemsOf, toForm, toHyperparams, type FormValues } from './hyperparam-form.js';
import type { Issue } from '../../shared/errors.js';
import { choiceOf, newerDataset, pickDataset, readPrefs, savePrefs, type DatasetChoice, type Prefs } from './prefs.js';
import type { KeyValueStore } from './selections.js';
import type { DatasetInfo } from '../../shared/types.js';
import type { Search, SweepInfo } from '../../shared/sweeps.js';
import { sweepPlan, type SweepAxis, type SweepPlan } from './sweep.js';

/** What Start queued: runs, or a sweep whose trials the core proposes one by one. */
export type Started = { runs: RunInfo[] } | { sweep: SweepInfo };

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
  search = $state<Search>('grid');
  trials = $state(10);
  prune = $state(false);
  minResource = $state(1);
  reductionFactor = $state(3);
  #summary = $state.raw<ModelSummary | null>(null);
  #problems = $state.raw<Issue[]>([]);
  #previewing = $state(false);
  #starting = $state(false);
  #startError = $state<string | null>(null);
  /** Where the runs train: this machine, or the worker pool (offered when one is set up). */
  target = $state<RunTarget>('local');
  #poolUrl = $state<string | null>(null);
  /** The training set the user has (what the form showed or they picked), and the datasets there were then. */
  #choice = $state.raw<DatasetChoice | undefined>(undefined);
  #seq = 0;
  readonly #store: KeyValueStore;

  /** `store` keeps the last started preset, hyperparameters and dataset (localStorage in the app). */
  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** The training set last started on or picked, for the view's dataset default (prefs.ts pickDataset). */
  get remembered(): Prefs {
    return readPrefs(this.#store);
  }

  /**
   * Opens on the user's training set (kept until they pick another, even when a newer set or a dataset version
   * appears: that is offered by `newerDataset`), else the newest import. What the form shows becomes the choice.
   */
  openDataset(list: DatasetInfo[]): void {
    if (this.datasetId !== null) return;
    const saved = readPrefs(this.#store).train;
    const picked = pickDataset(list, 'train', saved);
    if (!picked) return;
    this.datasetId = picked.id;
    this.#choice = saved?.id === picked.id ? saved : choiceOf(list, picked.id);
    if (this.#choice !== saved) savePrefs(this.#store, { train: this.#choice });
  }

  /** The user picks a training set (or keeps the one they have, having seen the newer one named). */
  chooseDataset(id: number, list: DatasetInfo[]): void {
    this.datasetId = id;
    this.#choice = choiceOf(list, id);
    savePrefs(this.#store, { train: this.#choice });
  }

  /** A training set added since the user's choice: the view asks, naming both, instead of switching. */
  newerDataset(list: DatasetInfo[]): DatasetInfo | null {
    return this.datasetId === null ? null : newerDataset(list, 'train', this.#choice);
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

  /** Queues the run (with its seed repeats), or starts the sweep through sweeps:start. */
  async start(datasets: DatasetInfo[] = []): Promise<Started | null> {
    const { sweep, error } = this.plan;
    if (error || !this.form || this.datasetId === null) {
      this.#startError = error ?? (this.datasetId === null ? 'Pick a training dataset first.' : 'Nothing to run.');
      return null;
    }
    const hyperparams: Hyperparams = toHyperparams(this.form);
    this.#starting = true;
    this.#startError = null;
    try {
      let started: Started;
      if (sweep) {
        const prune = this.prune ? { minResource: this.minResource, reductionFactor: this.reductionFactor } : undefined;
        const args = { datasetId: this.datasetId, preset: this.preset, hyperparams, params: sweep.params, search: this.search, prune, target: this.target };
        started = { sweep: await api.call('sweeps:start', this.search === 'grid' ? args : { ...args, trials: sweep.trials }) };
      } else {
        const seeds = this.repeatCount > 1 ? Array.from({ length: this.repeatCount }, (_, i) => hyperparams.seed + i) : undefined;
        started = { runs: await api.call('runs:start', { datasetId: this.datasetId, preset: this.preset, hyperparams, seeds, target: this.target }) };
      }
      // The next New run opens on what was just started (the sweep's base values, not one trial's).
      savePrefs(this.#store, { preset: this.preset, hyperparams, train: choiceOf(datasets, this.datasetId) });
      return started;
    } catch (err) {
      // Validation problems in the form's own words ("Batch size: …"), anything else as it is.
      this.#startError = labelled(problemsOf(err));
      return null;
    } finally {
      this.#starting = false;
    }
  }
}
