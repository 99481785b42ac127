// train, runs, stop, resume: start and follow training runs from the terminal.

import { guardProcess } from '../../core/process-guard.js';
import type { Workbench } from '../../core/workbench.js';
import { parse, optionalInt, optionalNumber, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { formatDuration, progressBar, table, int } from '../format.js';
import { resolveDataset } from '../resolve.js';
import type { RunInfo } from '../../shared/runs.js';
import { BACKEND_NAMES, type BackendChoice } from '../../shared/trainer-protocol.js';
import { BN_STATS } from '../../shared/hyperparam-choices.js';
import { epochsOf } from '../../core/training/runs-repo.js';
import { showRun } from './run-show.js';

/** The JSON shape of a run on stdout (train, resume, runs). */
export function runJson(wb: Workbench, run: RunInfo) {
  return {
    id: run.id,
    status: run.status,
    backend: run.backend,
    preset: run.preset,
    epochs: epochsOf(wb.db, run.id).map((e) => ({
      epoch: e.epoch,
      loss: e.loss,
      acc: e.acc,
      valLoss: e.valLoss,
      valAcc: e.valAcc,
      lr: e.lr,
      seconds: e.seconds,
      imagesPerSecond: e.imagesPerSecond,
    })),
    bestEpoch: run.bestEpoch,
    bestValAcc: run.bestValAcc,
    ...(run.error ? { error: run.error } : {}),
  };
}

function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(2)}%`;
}

/** Follows a run to its end with progress on stderr, then prints it. Ctrl-C stops the run cleanly. */
async function follow(wb: Workbench, runId: number, json: boolean): Promise<void> {
  const bar = progressBar(`run ${runId}`);
  const off = wb.on((event) => {
    if (event.type === 'run:progress' && event.progress.runId === runId) {
      const p = event.progress;
      bar.update((p.epoch - 1 + p.batch / p.batches) / p.epochs, `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} ${Math.round(p.imagesPerSecond)} img/s ETA ${formatDuration(p.etaSeconds)}`);
    } else if (event.type === 'run:epoch' && event.runId === runId) {
      const m = event.metrics;
      bar.done();
      process.stderr.write(
        `epoch ${m.epoch}: loss ${m.loss.toFixed(4)} acc ${pct(m.acc)} val_loss ${m.valLoss?.toFixed(4) ?? '–'} val_acc ${pct(m.valAcc)} lr ${m.lr.toExponential(1)} ${m.seconds.toFixed(1)}s ${Math.round(m.imagesPerSecond)} img/s\n`,
      );
    }
  });
  const onSigint = () => {
    process.stderr.write(`\nstopping run ${runId} (resume it with: digit-workbench resume ${runId})\n`);
    void wb.call('runs:stop', { id: runId }).catch(() => undefined);
  };
  process.once('SIGINT', onSigint);
  // This process hosts the run: an error nothing caught must not cut it off.
  const unguard = guardProcess({ beforeExit: () => wb.close() });
  try {
    await wb.runs.waitFor(runId);
  } finally {
    unguard();
    off();
    bar.done();
    process.off('SIGINT', onSigint);
  }
  const run = await wb.call('runs:get', { id: runId });
  if (json) printJson(runJson(wb, run));
  else {
    console.log(`run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    console.log(`best val accuracy ${pct(run.bestValAcc)} at epoch ${run.bestEpoch ?? '–'} · backend ${run.backend ?? '–'} · ${formatDuration(run.durationSeconds)}`);
  }
  if (run.status === 'failed') process.exitCode = 1;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model on a dataset and wait for it',
  usage: `digit-workbench train --dataset ID|NAME|FILE --preset NAME [options] [--json]

  Presets: seed-lenet5 (the seed notebook), dnn (dense baseline), cnn-strong (BatchNorm CNN + augmentation).
  Progress goes to stderr; the final run as JSON on stdout with --json. Ctrl-C stops the run (resumable).

  --epochs N                    epochs (preset default otherwise)
  --batch-size N                batch size
  --learning-rate X             initial learning rate
  --optimizer adam|sgd|rmsprop  optimizer
  --validation tail:R|stratified:R   validation split, e.g. tail:0.1 (the last 10%, the seed notebook's)
  --bn-stats keras|debiased|recomputed   what BatchNorm layers validate and predict with (models with
                                BatchNorm): keras = Keras's moving averages (exact reproduction),
                                debiased = the same corrected for their start, recomputed = re-estimated
                                over 2,048 training images before each validation
  --seed N                      random seed (same seed + same backend → same metrics)
  --backend tensorflow|wasm|cpu force a backend (default: tfjs-node if it loads, else wasm)
  --workers N                   data-parallel threads for this run
  --queue URL                   train on the worker pool at this Redis (redis://:PASSWORD@HOST:6379)
                                instead of this machine; waits the same way
  --detach                      with --queue: return once the run is queued (it trains on without
                                this process; the app, serve or "resume ID" commits its epochs)
  --hyperparams JSON            any other fields, e.g. '{"augmentation":null}' (the flags above win)`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      {
        dataset: { type: 'string' },
        preset: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        'learning-rate': { type: 'string' },
        optimizer: { type: 'string' },
        validation: { type: 'string' },
        'bn-stats': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        queue: { type: 'string' },
        detach: { type: 'boolean' },
        hyperparams: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 0, max: 0 },
    );
    if (values.help) return void console.log(this.usage);
    const datasetRef = optionalString(values, 'dataset');
    const preset = optionalString(values, 'preset');
    if (!datasetRef) throw new UsageError('train needs --dataset ID|NAME|FILE');
    if (!preset) throw new UsageError('train needs --preset seed-lenet5|dnn|cnn-strong');
    const overrides: Record<string, unknown> = {
      ...jsonObject(optionalString(values, 'hyperparams')),
      epochs: optionalInt(values, 'epochs'),
      batchSize: optionalInt(values, 'batch-size'),
      learningRate: optionalNumber(values, 'learning-rate'),
      optimizer: optionalString(values, 'optimizer'),
      batchNormStats: optionalString(values, 'bn-stats'),
      seed: optionalInt(values, 'seed'),
    };
    const bnStats = optionalString(values, 'bn-stats');
    if (bnStats !== undefined && !(BN_STATS as readonly string[]).includes(bnStats)) throw new UsageError(`--bn-stats must be ${BN_STATS.join(', ')} (got "${bnStats}")`);
    const validation = optionalString(values, 'validation');
    if (validation !== undefined) {
      const m = /^(tail|stratified):([0-9.]+)$/.exec(validation);
      if (!m) throw new UsageError(`--validation must look like tail:0.1 or stratified:0.1 (got "${validation}")`);
      overrides.validation = { mode: m[1], ratio: Number(m[2]) };
    }
    for (const key of Object.keys(overrides)) if (overrides[key] === undefined) delete overrides[key]; // keep --hyperparams' fields
    const backend = optionalString(values, 'backend');
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) throw new UsageError(`--backend must be ${BACKEND_NAMES.join(', ')} (got "${backend}")`);
    const workers = optionalInt(values, 'workers');
    const queue = optionalString(values, 'queue');
    if (values.detach && !queue) throw new UsageError('--detach needs --queue (a local run ends with this process)');
    const wb = ctx.workbench({ backend: backend as BackendChoice | undefined, workers, poolUrl: queue });
    const dataset = await resolveDataset(wb, datasetRef, { allowFile: true });
    const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset, hyperparams: overrides, target: queue ? 'pool' : 'local' });
    if (!values.json) process.stderr.write(`run ${run.id}: ${preset} on "${dataset.name}" (${int(dataset.rows)} rows)${queue ? ' on the worker pool' : ''}\n`);
    if (values.detach) return void (await detach(wb, run.id, values.json === true));
    await follow(wb, run.id, values.json === true);
  },
};

/** Returns once the pool has the run's job (its dataset published): the run trains on without this process. */
async function detach(wb: Workbench, runId: number, json: boolean): Promise<void> {
  const jobId = await (wb.runs.handleOf(runId) as { queued?: Promise<string | null> } | undefined)?.queued;
  const run = await wb.call('runs:get', { id: runId });
  if (json) printJson(runJson(wb, run));
  else if (jobId) console.log(`run ${runId} queued on the worker pool (job ${jobId}); follow it with: digit-workbench resume ${runId}`);
  else console.log(`run ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}`);
  if (!jobId) process.exitCode = 1;
}

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue a stopped, interrupted or failed run from its last checkpoint',
  usage: `digit-workbench resume ID [--force] [--queue URL] [--json]

  Keeps the run's id and continues from its last completed epoch; waits like train. It continues on the
  backend and number of workers the run trained with, so it ends as if it had never stopped; if that
  backend cannot load on this machine the resume is refused, unless --force: then it continues on this
  machine's backend and the run records the change. A pool run still training on a worker (its owner
  gone) is followed instead: its waiting epochs are committed here.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' }, force: { type: 'boolean' }, queue: { type: 'string' } }, { min: 1, max: 1 });
    if (values.help) return void console.log(this.usage);
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`run id must be a positive whole number (got "${positionals[0]}")`);
    const wb = ctx.workbench({ poolUrl: optionalString(values, 'queue') });
    if (!wb.adoptPoolRuns().includes(id)) await wb.call('runs:resume', { id, force: values.force === true });
    await follow(wb, id, values.json === true);
  },
};

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop a running or queued run (in any process)',
  usage: `digit-workbench stop ID

  Sets the run's stop flag; the process training it stops after the current batch. Completed
  epochs are kept; resume continues from the last one.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, {}, { min: 1, max: 1 });
    if (values.help) return void console.log(this.usage);
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`run id must be a positive whole number (got "${positionals[0]}")`);
    const run = await ctx.workbench().call('runs:stop', { id });
    console.log(run.status === 'stopped' ? `run ${id} stopped` : `run ${id}: stop requested`);
  },
};

function jsonObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--hyperparams must be JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--hyperparams must be a JSON object');
  return value as Record<string, unknown>;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs; runs show ID [--command] for one run',
  usage: `digit-workbench runs [--limit N] [--offset N] [--json]
digit-workbench runs show ID [--command] [--json]

  Runs in id order; --limit and --offset page through many (e.g. a sweep's thousands). --json prints a list of
  {"id","status","backend","preset","epochs":[{"epoch","loss","acc","valLoss","valAcc","lr","seconds",
  "imagesPerSecond"}],"bestEpoch","bestValAcc","params"} ("error" too when it failed); params holds the
  hyperparameters that differ from the preset, flattened ("augmentation.rotation") as text.

  show: the run's lineage (app version and commit, dataset sha256, backend and version, workers, host, OS, Node and
  Electron) and its epochs with the trainer's CPU % and memory. --command prints the train command that
  re-creates the run instead.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(
      argv,
      { json: { type: 'boolean' }, command: { type: 'boolean' }, limit: { type: 'string' }, offset: { type: 'string' } },
      { min: 0, max: 2 },
    );
    if (values.help) return void console.log(this.usage);
    const limit = optionalInt(values, 'limit');
    const offset = optionalInt(values, 'offset');
    if (limit !== undefined && limit < 1) throw new UsageError(`--limit must be at least 1 (got ${limit})`);
    if (offset !== undefined && offset < 0) throw new UsageError(`--offset must be 0 or more (got ${offset})`);
    if (positionals[0] === 'show') return showRun(ctx.workbench(), positionals[1], { command: values.command === true, json: values.json === true });
    if (positionals.length) throw new UsageError(`unknown runs subcommand "${positionals[0]}" (try: runs show ID)`);
    const wb = ctx.workbench();
    const list = await wb.call('runs:list', limit === undefined && offset === undefined ? undefined : { limit, offset });
    if (values.json) return printJson(list.map((r) => ({ ...runJson(wb, r), params: r.params })));
    if (list.length === 0) {
      return void console.log(offset ? `no runs after the first ${offset}` : 'no runs yet: digit-workbench train --dataset sample-train --preset seed-lenet5');
    }
    console.log(
      table(
        ['ID', 'STATUS', 'PRESET', 'BACKEND', 'EPOCHS', 'BEST VAL ACC', 'AT', 'DURATION', 'IMG/S'],
        list.map((r) => [r.id, r.status, r.preset, r.backend ?? '–', `${r.epochsDone}/${r.epochsPlanned}`, pct(r.bestValAcc), r.bestEpoch ?? '–', formatDuration(r.durationSeconds), r.imagesPerSecond ? Math.round(r.imagesPerSecond) : '–']),
      ),
    );
  },
};
