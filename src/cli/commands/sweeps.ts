// sweep, sweeps: hyperparameter searches from the terminal; each trial's end and the best so far as they happen.

import { guardProcess } from '../../core/process-guard.js';
import type { Workbench } from '../../core/workbench.js';
import { badInput, WorkbenchError } from '../../shared/errors.js';
import { parseSpace } from '../../shared/sweep-space.js';
import { prunedNote, SEARCHES, type Search, type SweepInfo, type TrialInfo } from '../../shared/sweeps.js';
import { parse, optionalInt, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { table } from '../format.js';
import { bestTrial, trialsOf } from '../../core/sweeps/sweeps-repo.js';
import { resolveDataset } from '../resolve.js';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);
const DONE = ['completed', 'pruned', 'failed', 'stopped', 'interrupted'];

function trialLine(t: TrialInfo): string {
  const params = Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`).join(' ');
  const status = t.status === 'pruned' && t.prunedAt !== null ? prunedNote(t.prunedAt, t.runStatus) : t.status;
  return `trial ${t.trial} (run ${t.runId}) ${status}: best val acc ${pct(t.best)}  ${params}`;
}

/** Prints trials as they end, stops the sweep on Ctrl-C, and resolves with the sweep once nothing trains. */
async function follow(wb: Workbench, id: number, json: boolean): Promise<void> {
  const reported = new Set<number>();
  let bestRunId: number | null = null;
  const report = () => {
    // Read synchronously inside the event: the order of the lines is the order the trials ended in.
    const trials = trialsOf(wb.db, id);
    for (const t of trials) {
      if (!DONE.includes(t.status) || reported.has(t.runId)) continue;
      reported.add(t.runId);
      if (!json) process.stderr.write(`${trialLine(t)}\n`);
    }
    const best = bestTrial(trials.filter((t) => reported.has(t.runId)));
    if (best && best.runId !== bestRunId) {
      bestRunId = best.runId;
      if (!json) process.stderr.write(`  best so far: trial ${best.trial} (run ${best.runId}) ${pct(best.best)}\n`);
    }
  };
  const off = wb.on((event) => {
    if (event.type === 'sweep:changed' && event.sweepId === id) report();
  });
  const onSigint = () => {
    process.stderr.write(`\nstopping sweep ${id} (continue it with: digit-workbench sweep resume ${id})\n`);
    void wb.call('sweeps:stop', { id }).catch(() => undefined);
  };
  process.once('SIGINT', onSigint);
  const unguard = guardProcess({ beforeExit: () => wb.close() });
  let info: SweepInfo;
  try {
    info = await wb.sweeps.waitFor(id);
  } finally {
    unguard();
    off();
    process.off('SIGINT', onSigint);
  }
  const detail = await wb.call('sweeps:get', { id });
  if (json) {
    printJson({ id, trials: detail.trialList.map((t) => ({ runId: t.runId, status: t.status, params: t.params, best: t.best })), bestRunId: detail.bestRunId });
  } else {
    report();
    console.log(`sweep ${id} ${info.status}: ${detail.trialsDone}/${detail.trials} trials done, best run ${detail.bestRunId ?? '–'} ${pct(detail.bestValAcc)}`);
  }
  if (detail.trialList.length > 0 && detail.trialList.every((t) => t.status === 'failed')) process.exitCode = 1;
}

function sweepId(text: string | undefined): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`sweep id must be a positive whole number (got "${text}")`);
  return id;
}

const usage = `digit-workbench sweep --dataset ID|NAME|FILE --preset NAME --param NAME=SPACE … [options] [--json]
digit-workbench sweep stop ID
digit-workbench sweep resume ID [--queue URL] [--json]

  Trials are ordinary runs grouped by the sweep; trials at once follow the concurrency setting (on the worker
  pool: as many as its connected workers take).
  --param NAME=SPACE   repeatable. SPACE: a list 32,64,128 · a range 0..15 (whole numbers when both ends are)
                       · a log range log:1e-4..1e-2 · one value to fix it (epochs=4)
  --search grid|random|tpe   grid: every combination of lists; tpe: Optuna-style Tree-structured Parzen
                       Estimator after a few random trials (default: tpe)
  --trials N           trials to run (default 10; grid: the grid's size)
  --prune asha         stop trials early by successive halving on validation accuracy
  --min-resource N     first rung epoch for --prune (default 1)
  --reduction-factor N keep the top 1/N at each rung (default 3)
  --seed N             sampler seed: the same seed over the same results proposes the same trials
  --queue URL          train the trials on the worker pool at this Redis (redis://:PASSWORD@HOST:6379,
                       rediss:// for TLS); this process commits their epochs and waits for the sweep
  Ctrl-C stops the sweep (sweep resume ID continues it).`;

async function start(argv: string[], wb: (poolUrl: string | undefined) => Workbench): Promise<void> {
  const { values } = parse(
    argv,
    {
      dataset: { type: 'string' },
      preset: { type: 'string' },
      param: { type: 'string', multiple: true },
      trials: { type: 'string' },
      search: { type: 'string' },
      prune: { type: 'string' },
      'min-resource': { type: 'string' },
      'reduction-factor': { type: 'string' },
      seed: { type: 'string' },
      queue: { type: 'string' },
      json: { type: 'boolean' },
    },
    { min: 0, max: 0 },
  );
  if (values.help) return void console.log(usage);
  const datasetRef = optionalString(values, 'dataset');
  const preset = optionalString(values, 'preset');
  const params = (values.param as unknown as string[] | undefined) ?? [];
  if (!datasetRef) throw new UsageError('sweep needs --dataset ID|NAME|FILE');
  if (!preset) throw new UsageError('sweep needs --preset seed-lenet5|dnn|cnn-strong');
  if (params.length === 0) throw new UsageError('sweep needs at least one --param NAME=SPACE, e.g. --param learningRate=log:1e-4..1e-2');
  try {
    parseSpace(params);
  } catch (err) {
    throw new UsageError(`--param ${(err as Error).message}`);
  }
  const search = (optionalString(values, 'search') ?? 'tpe') as Search;
  if (!SEARCHES.includes(search)) throw new UsageError(`--search must be grid, random or tpe (got "${search}")`);
  const prune = optionalString(values, 'prune');
  if (prune !== undefined && prune !== 'asha') throw new UsageError(`--prune must be asha (got "${prune}")`);
  const minResource = optionalInt(values, 'min-resource');
  const reductionFactor = optionalInt(values, 'reduction-factor');
  if (prune === undefined && (minResource !== undefined || reductionFactor !== undefined)) throw new UsageError('--min-resource and --reduction-factor need --prune asha');
  const queue = optionalString(values, 'queue');
  const w = wb(queue);
  const dataset = await resolveDataset(w, datasetRef, { allowFile: true });
  let info: SweepInfo;
  try {
    info = await w.call('sweeps:start', {
      datasetId: dataset.id,
      preset,
      params,
      search,
      trials: optionalInt(values, 'trials'),
      seed: optionalInt(values, 'seed'),
      prune: prune ? { minResource: minResource ?? 1, reductionFactor: reductionFactor ?? 3 } : undefined,
      target: queue ? 'pool' : 'local',
    });
  } catch (err) {
    // The core names the parameter's text; the user typed it after --param.
    if (err instanceof WorkbenchError && params.some((p) => err.message.startsWith(`${p.split('=')[0]}=`))) throw badInput(`--param ${err.message}`, err.details);
    throw err;
  }
  if (!values.json) process.stderr.write(`sweep ${info.id}: ${info.trials} ${search} trials of ${preset} on "${dataset.name}"${queue ? ' on the worker pool' : ''} (seed ${info.seed}${info.prune ? `, ASHA from epoch ${info.prune.minResource}, keep 1/${info.prune.reductionFactor}` : ''})\n`);
  await follow(w, info.id, values.json === true);
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'search hyperparameters (grid, random, TPE; ASHA pruning); stop or resume a sweep',
  usage,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === 'stop' || sub === 'resume') {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, queue: { type: 'string' } }, { min: 1, max: 1 });
      if (values.help) return void console.log(usage);
      const id = sweepId(positionals[0]);
      const wb = ctx.workbench({ poolUrl: optionalString(values, 'queue') });
      if (sub === 'stop') {
        const info = await wb.call('sweeps:stop', { id });
        return void console.log(`sweep ${id} ${info.status}`);
      }
      // Pool trials still training on a worker while no process committed their epochs: this one does now.
      wb.adoptPoolRuns();
      await wb.call('sweeps:resume', { id });
      return follow(wb, id, values.json === true);
    }
    return start(argv, (poolUrl) => ctx.workbench({ poolUrl }));
  },
};

export const sweepsCommand: Command = {
  name: 'sweeps',
  summary: 'list sweeps',
  usage: 'digit-workbench sweeps [--json]',
  async run(argv, ctx) {
    const { values } = parse(argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const list = await ctx.workbench().call('sweeps:list', undefined);
    if (values.json) return printJson(list);
    if (list.length === 0) return void console.log('no sweeps yet: digit-workbench sweep --help');
    console.log(
      table(
        ['ID', 'STATUS', 'SEARCH', 'PRESET', 'TRIALS', 'BEST RUN', 'BEST VAL ACC', 'PARAMS'],
        list.map((s) => [s.id, s.status, `${s.search}${s.prune ? '+asha' : ''}`, s.preset, `${s.trialsDone}/${s.trials}`, s.bestRunId ?? '–', pct(s.bestValAcc), s.params.join(' ')]),
      ),
    );
  },
};
