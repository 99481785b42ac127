// The one contract: method name → argument schema and result type. It types the renderer's caller, the preload
// bridge, the IPC handlers, the serve-mode RPC and the CLI's calls into the core.

import type * as z from 'zod';
import * as s from './validation.js';
import type { AppInfo, DatasetDetail, DatasetInfo, ImageRecord, ImportResult, Settings } from './types.js';
import type { PresetInfo } from './hyperparams.js';
import type { ModelSummary } from './model-spec.js';
import type { LrFindResult, RunDetail, RunInfo } from './runs.js';
import { BACKEND_NAMES, type BackendAvailability } from './trainer-protocol.js';
import type { WorkersStatus } from './workers.js';
import type { SubmissionInfo } from './submissions.js';
import type { RunLogPage } from './lineage.js';
import type { Comparison, ConfusionReport, DigitPage, EnsembleValidation, RunDiff } from './analysis.js';
import { SEARCHES, type SweepDetail, type SweepInfo } from './sweeps.js';
import type { LabelIssues, LabelJobInfo } from './labels.js';
import type { EmbeddingMap } from './embedding.js';
import { MODEL_FORMATS, type ModelExportResult } from './model-export.js';
import { MAX_BUDGET_SECONDS, MIN_BUDGET_SECONDS, type AutopilotJobInfo, type AutopilotPlan } from './autopilot.js';

/**
 * A method whose arguments name files on the machine that runs the core. Only a local caller may give them (the
 * CLI, or the desktop app for a path the user picked); serve mode's browser is a remote client and is refused.
 */
export interface ServerPaths {
  /** Argument fields holding a path, and whether the core reads or writes it. */
  fields: Readonly<Record<string, 'read' | 'write'>>;
  /** What a browser does instead, for the refusal's message. */
  instead: string;
}

interface MethodDef<S extends z.ZodType, R> {
  args: S;
  serverPaths?: ServerPaths;
  /** Phantom: only carries the result type. */
  result?: R;
}

function method<R>() {
  return <S extends z.ZodType>(args: S, serverPaths?: ServerPaths): MethodDef<S, R> => ({ args, serverPaths });
}

const datasetName = s.str({ min: 1, max: 120, pattern: /^[^\0]*\S[^\0]*$/, hint: 'a name of 1 to 120 characters' });
const datasetKind = s.oneOf(['train', 'test'] as const);
const weightsSlot = s.oneOf(['best', 'last'] as const);
const digitClass = s.int({ min: 0, max: 9 });
const pixels784 = s.str({ min: 1044, max: 1048, hint: '784 bytes as base64' });
const autopilotJob = {
  datasetId: s.id,
  testDatasetId: s.id,
  budgetSeconds: s.int({ min: MIN_BUDGET_SECONDS, max: MAX_BUDGET_SECONDS }),
  target: s.optional(s.oneOf(['local', 'pool'] as const)),
};

export const contract = {
  'app:info': method<AppInfo>()(s.none),
  'datasets:list': method<DatasetInfo[]>()(s.none),
  'datasets:get': method<DatasetDetail>()(s.object({ id: s.id })),
  'datasets:import': method<ImportResult>()(
    s.object({ path: s.str({ min: 1, max: 4096 }), name: s.optional(datasetName), kind: s.optional(datasetKind) }),
    { fields: { path: 'read' }, instead: 'upload the file instead (Datasets › Import CSV in the page, or POST /upload)' },
  ),
  'datasets:rename': method<DatasetInfo>()(s.object({ id: s.id, name: datasetName })),
  'datasets:delete': method<{ id: number }>()(s.object({ id: s.id })),
  'datasets:images': method<{ total: number; images: ImageRecord[] }>()(
    s.object({ id: s.id, offset: s.int({ min: 0 }), limit: s.int({ min: 1, max: 1000 }), label: s.optional(s.int({ min: 0, max: 9 })) }),
  ),
  /** A new dataset from a labelled one with rows (1-based) relabelled or left out; the original is not changed. */
  'datasets:version': method<ImportResult>()(
    s.object({
      id: s.id,
      relabels: s.array(s.object({ row: s.int({ min: 1 }), label: digitClass }), { max: 100_000 }),
      excludes: s.array(s.int({ min: 1 }), { max: 100_000 }),
      name: s.optional(datasetName),
    }),
  ),
  /** Starts a label-issues job: one run per fold, each validated on its held-out fold. */
  'labels:start': method<LabelJobInfo>()(
    s.object({
      datasetId: s.id,
      preset: s.optional(s.str({ max: 64 })),
      folds: s.optional(s.int({ min: 2, max: 20 })),
      epochs: s.optional(s.int({ min: 1, max: 1000 })),
    }),
  ),
  'labels:jobs': method<LabelJobInfo[]>()(s.none),
  /** The job's likely label errors, most likely first (empty until every fold run completed). */
  'labels:issues': method<LabelIssues>()(s.object({ key: s.str({ min: 1, max: 80 }) })),
  'presets:list': method<PresetInfo[]>()(s.none),
  /** Validates a preset with overrides and returns its model summary, before anything trains. */
  'runs:preview': method<{ summary: ModelSummary }>()(s.object({ preset: s.str({ max: 64 }), hyperparams: s.optional(s.record()) })),
  'runs:start': method<RunInfo[]>()(
    s.object({
      datasetId: s.id,
      preset: s.str({ max: 64 }),
      hyperparams: s.optional(s.record()),
      /** Repeat the run once per seed (a seed group). */
      seeds: s.optional(s.array(s.int({ min: 0, max: 2 ** 31 - 1 }), { min: 1, max: 50 })),
      /** Where it trains: this machine (default) or the worker pool. */
      target: s.optional(s.oneOf(['local', 'pool'] as const)),
    }),
  ),
  /** Learning-rate range test: ~100 batches with the lr rising from 1e-7 to 1 on the run-to-be's training images. */
  'runs:lr-find': method<LrFindResult>()(
    s.object({ datasetId: s.id, preset: s.str({ max: 64 }), hyperparams: s.optional(s.record()), steps: s.optional(s.int({ min: 10, max: 1000 })) }),
  ),
  /**
   * Runs in id order with their summary figures (no epochs; hyperparameters summarised as `params`). With no
   * arguments, every run; `offset`/`limit` page through them (`newestFirst`: from the highest id down); `ids` gives
   * just those runs (a live refresh).
   */
  'runs:list': method<RunInfo[]>()(
    s.optional(
      s.object({
        ids: s.optional(s.array(s.id, { max: 10_000 })),
        offset: s.optional(s.int({ min: 0 })),
        limit: s.optional(s.int({ min: 1, max: 100_000 })),
        newestFirst: s.optional(s.bool),
      }),
    ),
  ),
  'runs:get': method<RunDetail>()(s.object({ id: s.id })),
  'runs:stop': method<RunInfo>()(s.object({ id: s.id })),
  /**
   * Continues from the last checkpoint on the backend and worker count the run trained with; refused when that
   * backend cannot load here, unless `force` (then it continues on this machine's choice and records the change).
   */
  'runs:resume': method<RunInfo>()(s.object({ id: s.id, force: s.optional(s.bool) })),
  'runs:delete': method<{ id: number }>()(s.object({ id: s.id })),
  /** The run's own log lines after `offset` (a line number; 0 = from its first kept line), at most 1,000. */
  'runs:log': method<RunLogPage>()(s.object({ id: s.id, offset: s.optional(s.int({ min: 0 })) })),
  'runs:update': method<RunInfo>()(
    s.object({ id: s.id, notes: s.optional(s.str({ max: 10_000 })), tags: s.optional(s.array(s.str({ min: 1, max: 40 }), { max: 20 })) }),
  ),
  /** format tfjs (default): model.json + weights.bin into the folder `out`; onnx: the one file `out` (.onnx). */
  'runs:export-model': method<ModelExportResult>()(
    s.object({
      id: s.id,
      out: s.str({ min: 1, max: 4096 }),
      weights: s.optional(weightsSlot),
      format: s.optional(s.oneOf(MODEL_FORMATS)),
      force: s.optional(s.bool),
    }),
    {
      fields: { out: 'write' },
      instead: 'download the ONNX file instead (Export model on the run’s page, or POST /download/model?run=ID&format=onnx), or export on the machine that runs serve mode: digit-workbench model export --run ID --out DIR',
    },
  ),
  /** Predicts a test set with one run or the mean of several (an ensemble), writes the Kaggle CSV atomically. */
  'submissions:export': method<SubmissionInfo>()(
    s.object({
      runIds: s.array(s.id, { min: 1, max: 50 }),
      datasetId: s.id,
      weights: s.optional(weightsSlot),
      tta: s.optional(s.bool),
      out: s.str({ min: 1, max: 4096 }),
      force: s.optional(s.bool),
    }),
    { fields: { out: 'write' }, instead: 'download the submission instead (Submissions › Export in the page, or GET /download/submission)' },
  ),
  /** Warnings before an export: a test set whose pixels do not look like the runs' training images (never refuses). */
  'submissions:check': method<{ warnings: string[] }>()(s.object({ runIds: s.array(s.id, { min: 1, max: 50 }), datasetId: s.id })),
  'submissions:list': method<SubmissionInfo[]>()(s.none),
  /** The public score Kaggle gave the file (null clears it). */
  'submissions:score': method<SubmissionInfo>()(s.object({ id: s.id, score: s.nullable(s.num({ min: 0, max: 1 })) })),
  /** Class probabilities for one 28×28 image (784 bytes, base64; white digit on black, like Kaggle's). */
  'predict:image': method<{ probs: number[]; label: number }>()(
    s.object({ runId: s.id, weights: s.optional(weightsSlot), pixels: pixels784 }),
  ),
  /** Confusion matrix and per-class precision/recall of a run's validation predictions. */
  'analysis:confusion': method<ConfusionReport>()(s.object({ id: s.id })),
  /** Misclassified validation digits, most confidently wrong first; with both classes, one confusion cell. */
  'analysis:digits': method<DigitPage>()(
    s.object({
      id: s.id,
      trueClass: s.optional(digitClass),
      predictedClass: s.optional(digitClass),
      offset: s.int({ min: 0 }),
      limit: s.int({ min: 1, max: 5000 }),
    }),
  ),
  /** The validation digits run B fixed and broke compared with run A (same validation images). */
  'analysis:diff': method<RunDiff>()(s.object({ runA: s.id, runB: s.id })),
  'analysis:compare': method<Comparison>()(s.object({ runIds: s.array(s.id, { min: 1, max: 50 }) })),
  /** Validation accuracy of the mean of several runs' probabilities (they must share validation images). */
  'analysis:ensemble': method<EnsembleValidation>()(s.object({ runIds: s.array(s.id, { min: 1, max: 50 }) })),
  /** Saliency: d(probability of the class)/d(pixels), for a dataset digit or a drawn one. */
  'analysis:explain': method<{ cls: number; probs: number[]; saliency: number[] }>()(
    s.object({
      runId: s.id,
      weights: s.optional(weightsSlot),
      datasetId: s.optional(s.id),
      idx: s.optional(s.int({ min: 0 })),
      pixels: s.optional(pixels784),
      cls: s.optional(digitClass),
    }),
  ),
  /** A grid of one digit under the run's augmentation. */
  'analysis:augment': method<{ images: string[] }>()(
    s.object({ runId: s.id, datasetId: s.id, idx: s.int({ min: 0 }), count: s.optional(s.int({ min: 1, max: 64 })), seed: s.optional(s.int({ min: 0 })) }),
  ),
  /**
   * The run's stored embedding map for its current best weights: with these parameters, or without them the one
   * computed last; null when there is none (compute it with embedding:compute).
   */
  'embedding:get': method<EmbeddingMap | null>()(
    s.object({ id: s.id, neighbors: s.optional(s.int({ min: 2, max: 200 })), seed: s.optional(s.int({ min: 0, max: 2 ** 31 - 1 })) }),
  ),
  /** Computes (again) the validation digits' UMAP of the penultimate layer in a trainer process and stores it. */
  'embedding:compute': method<EmbeddingMap>()(
    s.object({ id: s.id, neighbors: s.optional(s.int({ min: 2, max: 200 })), seed: s.optional(s.int({ min: 0, max: 2 ** 31 - 1 })) }),
  ),
  /** Desktop app only: the native open dialog (the browser uses a file input and uploads instead). */
  'desktop:open-file': method<{ path: string | null }>()(s.object({ purpose: s.oneOf(['import-csv'] as const) })),
  /** Desktop app only: the native save dialog (the browser downloads instead). */
  'desktop:save-file': method<{ path: string | null }>()(
    s.object({ purpose: s.oneOf(['submission', 'model', 'onnx'] as const), defaultName: s.str({ min: 1, max: 255 }) }),
  ),
  /** The worker pool: its URL (password masked), connected workers and the queue. */
  'workers:status': method<WorkersStatus>()(s.none),
  /** The pool's Redis URL with its password masked (null: none set up); does not connect. */
  'workers:url': method<{ url: string | null }>()(s.none),
  /** Saves the pool's Redis URL once a connection with it works. */
  'workers:set-url': method<{ url: string | null }>()(s.object({ url: s.str({ min: 1, max: 2048 }) })),
  /** Forgets the pool's Redis URL (pool runs in flight keep their jobs; a later URL can adopt them). */
  'workers:clear-url': method<{ url: null }>()(s.none),
  /** Desktop app only: shows the data folder's logs/ in the file manager (the browser downloads the log instead). */
  'desktop:open-logs': method<{ opened: boolean }>()(s.none),
  /** A hyperparameter search whose trials are runs; params are "NAME=SPACE" (see shared/sweep-space.ts). */
  'sweeps:start': method<SweepInfo>()(
    s.object({
      datasetId: s.id,
      preset: s.str({ max: 64 }),
      hyperparams: s.optional(s.record()),
      params: s.array(s.str({ min: 1, max: 400 }), { min: 1, max: 20 }),
      trials: s.optional(s.int({ min: 1, max: 1000 })),
      search: s.oneOf(SEARCHES),
      /** ASHA pruning; leave it out for none. */
      prune: s.optional(s.object({ minResource: s.int({ min: 1, max: 1000 }), reductionFactor: s.int({ min: 2, max: 10 }) })),
      seed: s.optional(s.int({ min: 0, max: 2 ** 31 - 1 })),
      /** Where the trials train: this machine (default) or the worker pool. */
      target: s.optional(s.oneOf(['local', 'pool'] as const)),
    }),
  ),
  'sweeps:list': method<SweepInfo[]>()(s.none),
  'sweeps:get': method<SweepDetail>()(s.object({ id: s.id })),
  /** Stops its queued and running trials (kept, resumable) and proposes no more. */
  'sweeps:stop': method<SweepInfo>()(s.object({ id: s.id })),
  /** Continues stopped or interrupted trials and proposes the rest, in this process. */
  'sweeps:resume': method<SweepInfo>()(s.object({ id: s.id })),
  /** The plan a job would follow and why (presets this machine has no figures for are calibrated first). */
  'autopilot:plan': method<AutopilotPlan>()(s.object(autopilotJob)),
  /** Starts a job in the core's process; its submission goes to the data folder's exports/ (download or save it). */
  'autopilot:start': method<AutopilotJobInfo>()(s.object(autopilotJob)),
  'autopilot:list': method<AutopilotJobInfo[]>()(s.none),
  'autopilot:get': method<AutopilotJobInfo>()(s.object({ id: s.id })),
  'autopilot:stop': method<AutopilotJobInfo>()(s.object({ id: s.id })),
  /** Goes on with a stopped or interrupted job, from the time it had spent. */
  'autopilot:resume': method<AutopilotJobInfo>()(s.object({ id: s.id })),
  'settings:get': method<Settings>()(s.none),
  /** Probes a trainer process: which backends load here, and why tfjs-node does not. */
  'settings:backends': method<BackendAvailability[]>()(s.none),
  'settings:set': method<Settings>()(
    s.object({ backend: s.optional(s.oneOf(['auto', ...BACKEND_NAMES] as const)), concurrency: s.optional(s.int({ min: 1, max: 4 })) }),
  ),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
/** The arguments a handler receives: the schema's output (types come from the schemas, never written twice). */
export type ArgsOf<M extends MethodName> = z.output<Contract[M]['args']>;
export type ResultOf<M extends MethodName> = Contract[M] extends MethodDef<z.ZodType, infer R> ? R : never;

/** What every transport offers: call a method by name with its arguments. */
export type Api = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** The method's path arguments, when it has any (see ServerPaths). */
export function serverPathsOf(name: MethodName): ServerPaths | undefined {
  return (contract[name] as MethodDef<z.ZodType, unknown>).serverPaths;
}

/** Validates a call crossing a process boundary. */
export function parseArgs<M extends MethodName>(name: M, args: unknown): ArgsOf<M> {
  return s.parse(contract[name].args, args ?? undefined) as ArgsOf<M>;
}
