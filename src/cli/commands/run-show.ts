// runs show ID: one run's lineage and epochs (with the trainer's CPU and memory), or with --command the
// digit-workbench train command that re-creates it.

import type { Workbench } from '../../core/workbench.js';
import { runRerunCommand } from '../../shared/rerun-command.js';
import { hasBatchNorm } from '../../shared/hyperparams.js';
import type { RunDetail } from '../../shared/runs.js';
import { prunedNote } from '../../shared/sweeps.js';
import { UsageError } from '../args.js';
import { printJson } from '../command.js';
import { table } from '../format.js';

export async function commandOf(wb: Workbench, run: RunDetail): Promise<string> {
  const presets = await wb.call('presets:list', undefined);
  const preset = presets.find((p) => p.name === run.preset);
  if (!preset) throw new UsageError(`run ${run.id} used preset "${run.preset}", which this version does not have`);
  const dataset = (await wb.call('datasets:list', undefined)).find((d) => d.id === run.datasetId);
  if (!dataset) process.stderr.write(`note: run ${run.id}'s dataset is gone; import the file with sha256 ${run.datasetSha256} first\n`);
  return runRerunCommand(run, preset.hyperparams, dataset ? { id: dataset.id, name: dataset.name } : null);
}

export async function showRun(wb: Workbench, ref: string | undefined, opts: { command: boolean; json: boolean }): Promise<void> {
  const id = Number(ref);
  if (!ref || !Number.isInteger(id) || id < 1) throw new UsageError(`runs show needs a run id (got "${ref ?? ''}")`);
  const run = await wb.call('runs:get', { id });
  if (opts.command) {
    const command = await commandOf(wb, run);
    return opts.json ? printJson({ command }) : void process.stdout.write(`${command}\n`);
  }
  if (opts.json) return printJson(run);
  const l = run.lineage;
  const lines = [
    `run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''} — ${run.preset}, seed ${run.seed}${hasBatchNorm(run.hyperparams) ? `, BatchNorm statistics ${run.hyperparams.batchNormStats}` : ''}`,
    `dataset ${run.datasetId} sha256 ${run.datasetSha256}`,
    ...(run.sweepId !== null ? [`trial of sweep ${run.sweepId}${run.prunedAt !== null ? `: ${prunedNote(run.prunedAt, run.status)}` : ''}`] : []),
    l
      ? `app ${l.appVersion}${l.gitCommit ? ` (commit ${l.gitCommit.slice(0, 12)})` : ''} · ${l.backend} ${l.backendVersion ?? ''}${l.kernels ? ` ${l.kernels.isa} × ${l.kernels.threads} thread${l.kernels.threads === 1 ? '' : 's'}` : ''} · ${l.workers} worker${l.workers === 1 ? '' : 's'} · ${l.host} · ${l.os} · ${l.cpus} CPUs · Node ${l.node}${l.electron ? ` · Electron ${l.electron}` : ''}`
      : `app ${run.appVersion} (no lineage: the run has not started, or predates it)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (run.epochs.length) {
    const fmt = (v: number | null | undefined, d: number) => (v === null || v === undefined ? '–' : v.toFixed(d));
    process.stdout.write(
      `${table(
        ['EPOCH', 'LOSS', 'ACC', 'VAL LOSS', 'VAL ACC', 'SECONDS', 'IMG/S', 'CPU %', 'RSS MB'],
        run.epochs.map((e) => [e.epoch, fmt(e.loss, 4), fmt(e.acc, 4), fmt(e.valLoss, 4), fmt(e.valAcc, 4), fmt(e.seconds, 1), Math.round(e.imagesPerSecond), fmt(e.cpuPercent, 0), fmt(e.rssMb, 0)]),
      )}\n`,
    );
  }
}
