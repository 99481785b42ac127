// The runs table's columns: what each shows and how it sorts; the filter's words and hyperparameter comparisons.

import type { RunInfo } from '../../shared/runs.js';
import { FIELD_LABELS } from './hyperparam-form.js';

export type SortKey =
  | 'id' | 'status' | 'preset' | 'params' | 'dataset' | 'backend' | 'bestValAcc' | 'lastValAcc' | 'epochs' | 'duration' | 'speed' | 'tags' | 'notes';

export interface Column {
  key: SortKey;
  label: string;
  numeric?: boolean;
}

export const COLUMNS: Column[] = [
  { key: 'id', label: 'Run', numeric: true },
  { key: 'status', label: 'Status' },
  { key: 'preset', label: 'Preset' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'backend', label: 'Backend' },
  { key: 'bestValAcc', label: 'Best val acc', numeric: true },
  { key: 'lastValAcc', label: 'Last val acc', numeric: true },
  { key: 'epochs', label: 'Epochs', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'speed', label: 'Images/s', numeric: true },
  { key: 'params', label: 'Changes' },
  { key: 'tags', label: 'Tags' },
  { key: 'notes', label: 'Notes' },
];

/** The hyperparameters a run changed from its preset, in a line: "learningRate=0.0003 batchSize=128". */
export function paramsText(run: RunInfo): string {
  return Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(' ');
}

const STATUS_ORDER = { running: 0, queued: 1, failed: 2, interrupted: 3, stopped: 4, completed: 5 };

function value(run: RunInfo, key: SortKey, datasetName: (id: number) => string): string | number | null {
  switch (key) {
    case 'status': return STATUS_ORDER[run.status];
    case 'dataset': return datasetName(run.datasetId);
    case 'epochs': return run.epochsDone;
    case 'duration': return run.durationSeconds;
    case 'speed': return run.imagesPerSecond;
    case 'tags': return run.tags.join(', ');
    case 'params': return paramsText(run);
    default: return run[key];
  }
}

// One collator for every comparison: localeCompare with options builds a new one per call, which dominated a sort
// of thousands of runs.
const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * Sorts a copy; empty values (no val accuracy yet, no backend) go last in either direction. Each run's key is read
 * once (not once per comparison), so thousands of runs sort in a few milliseconds.
 */
export function sortRuns(list: RunInfo[], key: SortKey, dir: 1 | -1, datasetName: (id: number) => string): RunInfo[] {
  const keyed = list.map((run) => ({ run, v: value(run, key, datasetName) }));
  keyed.sort((a, b) => {
    const x = a.v;
    const y = b.v;
    if (x === null || x === '') return y === null || y === '' ? a.run.id - b.run.id : 1;
    if (y === null || y === '') return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return c === 0 ? a.run.id - b.run.id : c * dir;
  });
  return keyed.map((k) => k.run);
}

/** A preset's hyperparameters flattened (what a run's summarised `params` leave out). */
export type PresetDefaults = (preset: string) => Record<string, string> | undefined;

const COMPARISON = /^([a-z][\w.]*)(<=|>=|=|<|>)(.+)$/i;

/**
 * Names a comparison may use besides the paths: the labels New run and the run page show, typed without spaces
 * ("learningrate", "batchsize", "earlystoppingpatience"), and the run page's short ones (LR, LR decay).
 */
const ALIASES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(FIELD_LABELS).map(([path, label]) => [label.toLowerCase().replace(/[^a-z0-9]/g, ''), path])),
  lr: 'learningRate',
  lrdecay: 'lrDecay.rate',
  shuffle: 'shuffleBuffer',
};

/** The hyperparameter path `name` stands for among `keys` (case-insensitive; a path's last part; a label). */
function resolveName(keys: string[], name: string): string | undefined {
  const wanted = (ALIASES[name.toLowerCase()] ?? name).toLowerCase();
  return keys.find((k) => k.toLowerCase() === wanted) ?? keys.find((k) => k.toLowerCase().endsWith(`.${wanted}`));
}

/** A run's value of a hyperparameter: its own change, else its preset's; `name` may be a path's last part or a label. */
function paramValue(run: RunInfo, name: string, defaults: PresetDefaults): string | undefined {
  const base = defaults(run.preset) ?? {};
  const key = resolveName([...new Set([...Object.keys(base), ...Object.keys(run.params)])], name);
  return key === undefined ? undefined : (run.params[key] ?? base[key]);
}

/**
 * The comparisons in a filter text whose name is no hyperparameter (`foo=bar`, `lrate<0.1`), with the names
 * there are, so the view says why nothing matches instead of showing an empty table. `keys`: every known path.
 */
export function unknownFields(text: string, keys: string[]): string[] {
  return text
    .split(/\s+/)
    .map((word) => COMPARISON.exec(word)?.[1])
    .filter((name): name is string => name !== undefined && resolveName(keys, name) === undefined);
}

/** The names worth listing in that message: each path's last part, with the run page's LR beside the rate. */
export function fieldNames(keys: string[]): string[] {
  return [...new Set(keys.filter((k) => k !== 'model').map((k) => (k === 'learningRate' ? 'learningRate (LR)' : k)))];
}

function compares(actual: string | undefined, op: string, wanted: string): boolean {
  if (actual === undefined) return false;
  const a = Number(actual);
  const w = Number(wanted);
  if (actual !== '' && wanted !== '' && Number.isFinite(a) && Number.isFinite(w)) {
    return op === '=' ? a === w : op === '<' ? a < w : op === '>' ? a > w : op === '<=' ? a <= w : a >= w;
  }
  return op === '=' && actual.toLowerCase() === wanted;
}

// A run's searchable text, built once per row object (a refresh replaces the object). The dataset's name is
// looked up each time: a dataset can be renamed while its runs stay the same.
const hayCache = new WeakMap<RunInfo, string>();

function has(run: RunInfo, word: string, datasetName: (id: number) => string): boolean {
  let text = hayCache.get(run);
  if (text === undefined) {
    const params = Object.entries(run.params).map(([k, v]) => `${k}=${v}`);
    text = [`#${run.id}`, String(run.id), run.preset, run.status, run.backend ?? '', ...run.trainedBy, run.notes, ...run.tags, ...params]
      .join(' ')
      .toLowerCase();
    hayCache.set(run, text);
  }
  return text.includes(word) || datasetName(run.datasetId).toLowerCase().includes(word);
}

/**
 * The filter's test for one run, parsed once per text. Each word must appear in the run's id, preset, status,
 * backend, workers, dataset, notes, tags or changed hyperparameters; a word like `batchSize=128`,
 * `learningRate<0.001` or `rotation>=10` compares that hyperparameter (its own value, else its preset's; numbers
 * numerically, text by equality).
 */
export function runFilter(text: string, datasetName: (id: number) => string, defaults: PresetDefaults = () => undefined): (run: RunInfo) => boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  const tests = words.map((word): ((run: RunInfo) => boolean) => {
    const m = COMPARISON.exec(word);
    if (!m) return (run) => has(run, word, datasetName);
    const [, name, op, wanted] = m;
    return (run) => compares(paramValue(run, name, defaults), op, wanted) || (op === '=' && has(run, word, datasetName));
  });
  return (run) => tests.every((t) => t(run));
}

export function matches(run: RunInfo, text: string, datasetName: (id: number) => string, defaults?: PresetDefaults): boolean {
  return runFilter(text, datasetName, defaults)(run);
}
