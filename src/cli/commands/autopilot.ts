// autopilot: the best submission a time budget allows, from the terminal — the plan and its reasons, each member
// as it starts and ends, what was cut, the result; Ctrl-C stops it (autopilot resume ID goes on).

import { resolve } from 'node:path';
import { guardProcess } from '../../core/process-guard.js';
import type { Workbench } from '../../core/workbench.js';
import { autopilotJson, formatDuration, parseBudget, type AutopilotJobInfo } from '../../shared/autopilot.js';
import { parse, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { table } from '../format.js';
import { resolveDataset } from '../resolve.js';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);

const usage = `digit-workbench autopilot --dataset ID|NAME|FILE --test ID|NAME|FILE --budget TIME --out FILE.csv [options]
digit-workbench autopilot resume ID [--queue URL] [--json]
digit-workbench autopilot stop ID
digit-workbench autopilot list [--json]
digit-workbench autopilot show ID [--json]

  The best submission within a time budget: it measures what each preset costs on this machine (earlier runs on
  the dataset, else a calibration run of a few seconds), plans presets, epochs, members and TTA so that training,
  prediction and export end inside the budget, trains the members as ordinary runs (tagged autopilot-ID in Runs),
  keeps the ensemble that validation prefers (greedy forward selection) and writes the submission.
  --budget TIME   90s, 15m, 1h, 1h30m (at least 1m, at most 24h); the job ends within it (+3% at worst)
  --out FILE.csv  where the submission goes (an existing file only with --force, and only one this app wrote)
  --queue URL     train the members on the worker pool at this Redis: its workers train members at once
  --json          print {"id","budgetSeconds","elapsedSeconds","members":[{"runId","preset","epochs","bestValAcc"}],
                  "ensemble":[runIds],"valAcc","submission"} at the end
  Ctrl-C stops the job (its members keep their epochs); autopilot resume ID goes on with the time it had left.`;

function jobId(text: string | undefined): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`autopilot id must be a positive whole number (got "${text}")`);
  return id;
}

function printPlan(job: AutopilotJobInfo): void {
  const plan = job.plan!;
  process.stderr.write(`plan: ${plan.headline} (budget ${formatDuration(job.budgetSeconds)})\n`);
  for (const r of plan.reasons) process.stderr.write(`  because ${r}\n`);
  process.stderr.write('  if a member runs slow:\n');
  for (const c of plan.cuts) process.stderr.write(`    - ${c}\n`);
}

/** Prints the job's plan, members and notes as they come; Ctrl-C stops it; resolves with the job once it is over. */
async function follow(wb: Workbench, id: number, json: boolean): Promise<AutopilotJobInfo> {
  const shown = { plan: false, notes: 0, members: new Map<number, string>() };
  const report = () => {
    const job = wb.autopilot.current(id);
    if (json) return;
    if (job.plan && !shown.plan) {
      shown.plan = true;
      printPlan(job);
    }
    for (const m of job.members) {
      if (shown.members.get(m.runId) === m.status) continue;
      shown.members.set(m.runId, m.status);
      const end = ['completed', 'stopped', 'failed', 'interrupted'].includes(m.status);
      process.stderr.write(`run ${m.runId} (${m.preset}, ${m.epochs} epochs) ${m.status}${end ? `: ${m.epochsDone} epochs, best val acc ${pct(m.bestValAcc)}` : ''}  [${formatDuration(job.elapsedSeconds)} of ${formatDuration(job.budgetSeconds)}]\n`);
    }
    for (const note of job.notes.slice(shown.notes)) process.stderr.write(`  ${note}\n`);
    shown.notes = job.notes.length;
  };
  const off = wb.on((event) => {
    if ((event.type === 'autopilot:changed' && event.jobId === id) || event.type === 'run:status') report();
  });
  let stops = 0;
  const onSigint = () => {
    if (++stops > 1) return;
    process.stderr.write(`\nstopping autopilot ${id} (continue it with: digit-workbench autopilot resume ${id})\n`);
    wb.autopilot.stop(id);
  };
  process.on('SIGINT', onSigint);
  const unguard = guardProcess({ beforeExit: () => wb.close() });
  let job: AutopilotJobInfo;
  try {
    job = await wb.autopilot.waitFor(id);
  } finally {
    unguard();
    off();
    process.off('SIGINT', onSigint);
  }
  report();
  if (json) {
    printJson(autopilotJson(job));
    if (job.error) process.stderr.write(`autopilot ${id} ${job.status}: ${job.error}\n`);
  } else {
    const line = `autopilot ${id} ${job.status}${job.error ? `: ${job.error}` : ''} in ${formatDuration(job.elapsedSeconds)} of ${formatDuration(job.budgetSeconds)}`;
    console.log(line);
    if (job.ensemble.length > 0) console.log(`ensemble of runs ${job.ensemble.join(', ')}${job.tta ? ' with TTA' : ''}: val acc ${pct(job.valAcc)}`);
    if (job.submissionPath) console.log(`submission: ${job.submissionPath}`);
    if (job.status === 'stopped' || job.status === 'interrupted') console.log(`continue it with: digit-workbench autopilot resume ${id}`);
  }
  if (job.status === 'failed') process.exitCode = 1;
  return job;
}

async function start(argv: string[], open: (poolUrl: string | undefined) => Workbench): Promise<void> {
  const { values } = parse(
    argv,
    { dataset: { type: 'string' }, test: { type: 'string' }, budget: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, queue: { type: 'string' }, json: { type: 'boolean' } },
    { min: 0, max: 0 },
  );
  if (values.help) return void console.log(usage);
  const datasetRef = optionalString(values, 'dataset');
  const testRef = optionalString(values, 'test');
  const budgetText = optionalString(values, 'budget');
  const out = optionalString(values, 'out');
  if (!datasetRef) throw new UsageError('autopilot needs --dataset ID|NAME|FILE (the labelled train.csv)');
  if (!testRef) throw new UsageError('autopilot needs --test ID|NAME|FILE (the test.csv to predict)');
  if (!budgetText) throw new UsageError('autopilot needs --budget TIME, e.g. --budget 60m');
  if (!out) throw new UsageError('autopilot needs --out FILE.csv (where the submission goes)');
  let budgetSeconds: number;
  try {
    budgetSeconds = parseBudget(budgetText);
  } catch (err) {
    throw new UsageError(`--budget: ${(err as Error).message}`);
  }
  const queue = optionalString(values, 'queue');
  const wb = open(queue);
  // Refused before a job is written: a pool without workers would spend the budget waiting.
  if (queue) await wb.pool.trainingSlots();
  const dataset = await resolveDataset(wb, datasetRef, { allowFile: true });
  const test = await resolveDataset(wb, testRef, { allowFile: true });
  const job = wb.autopilot.start({ datasetId: dataset.id, testDatasetId: test.id, budgetSeconds, target: queue ? 'pool' : 'local', out: resolve(out), force: values.force === true });
  if (!values.json) process.stderr.write(`autopilot ${job.id}: "${dataset.name}" → "${test.name}" within ${formatDuration(budgetSeconds)}${queue ? ' on the worker pool' : ''}\n`);
  await follow(wb, job.id, values.json === true);
}

function show(job: AutopilotJobInfo): void {
  console.log(`autopilot ${job.id} ${job.status} (${job.stage}) · ${formatDuration(job.elapsedSeconds)} of ${formatDuration(job.budgetSeconds)}${job.error ? ` · ${job.error}` : ''}`);
  if (job.plan) printPlanTo(job);
  if (job.members.length > 0) {
    console.log(table(['RUN', 'PRESET', 'EPOCHS', 'STATUS', 'BEST VAL ACC', 'IN ENSEMBLE'], job.members.map((m) => [m.runId, m.preset, `${m.epochsDone}/${m.epochs}`, m.status, pct(m.bestValAcc), job.ensemble.includes(m.runId) ? 'yes' : ''])));
  }
  for (const n of job.notes) console.log(`note: ${n}`);
  if (job.valAcc !== null) console.log(`ensemble val acc ${pct(job.valAcc)}${job.tta ? ' (TTA)' : ''}`);
  if (job.submissionPath) console.log(`submission: ${job.submissionPath}`);
}

function printPlanTo(job: AutopilotJobInfo): void {
  console.log(`plan: ${job.plan!.headline}`);
  for (const r of job.plan!.reasons) console.log(`  because ${r}`);
}

export const autopilotCommand: Command = {
  name: 'autopilot',
  summary: 'the best submission within a time budget (plan, train an ensemble, export); resume, stop, list, show',
  usage,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === 'list') {
      const { values } = parse(rest, { json: { type: 'boolean' } }, { min: 0, max: 0 });
      if (values.help) return void console.log(usage);
      const jobs = await ctx.workbench().call('autopilot:list', undefined);
      if (values.json) return printJson(jobs.map(autopilotJson));
      if (jobs.length === 0) return void console.log('no autopilot jobs yet: digit-workbench autopilot --help');
      return void console.log(
        table(
          ['ID', 'STATUS', 'STAGE', 'ELAPSED', 'BUDGET', 'MEMBERS', 'ENSEMBLE', 'VAL ACC', 'PLAN'],
          jobs.map((j) => [j.id, j.status, j.stage, formatDuration(j.elapsedSeconds), formatDuration(j.budgetSeconds), j.members.length, j.ensemble.join(',') || '–', pct(j.valAcc), j.plan?.headline ?? '–']),
        ),
      );
    }
    if (sub === 'show' || sub === 'stop' || sub === 'resume') {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, queue: { type: 'string' } }, { min: 1, max: 1 });
      if (values.help) return void console.log(usage);
      const id = jobId(positionals[0]);
      const wb = ctx.workbench({ poolUrl: optionalString(values, 'queue') });
      if (sub === 'show') {
        const job = await wb.call('autopilot:get', { id });
        return values.json ? printJson(autopilotJson(job)) : show(job);
      }
      if (sub === 'stop') return void console.log(`autopilot ${id} ${(await wb.call('autopilot:stop', { id })).status === 'running' ? 'stopping' : 'is not running'}`);
      // Pool members still training on a worker while no process committed their epochs: this one does now.
      wb.adoptPoolRuns();
      const job = wb.autopilot.resume(id);
      if (!values.json) process.stderr.write(`autopilot ${id} resumes with ${formatDuration(job.budgetSeconds - job.elapsedSeconds)} of its ${formatDuration(job.budgetSeconds)} left\n`);
      await follow(wb, id, values.json === true);
      return;
    }
    return start(argv, (poolUrl) => ctx.workbench({ poolUrl }));
  },
};
