// label-issues: k-fold cross-validation then confident learning, from the terminal; and the parsing of
// "datasets version" (a new dataset with rows relabelled or left out).

import { weakFoldsNote } from '../../shared/labels.js';
import { guardProcess } from '../../core/process-guard.js';
import { parse, optionalInt, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { progressBar, table, int } from '../format.js';
import { resolveDataset } from '../resolve.js';

export const labelIssuesCommand: Command = {
  name: 'label-issues',
  summary: 'find likely label errors (k-fold cross-validation + confident learning)',
  usage: `digit-workbench label-issues --dataset ID|NAME [--preset NAME] [--folds K] [--epochs E] [--limit N] [--json]

  Trains K runs (default 5; preset default seed-lenet5), each on all folds but one and scoring only the fold it
  held out, then ranks the rows whose given label the out-of-fold probabilities contradict (confident learning).
  The fold runs are ordinary runs tagged "label-issues". Progress goes to stderr. Ctrl-C stops them.

  --json   {"issues": [{"row", "label", "suggested", "score"}]} most likely first; row is 1-based
           (the CSV line number minus one), score 0–1 (higher = more likely wrong)
  --limit  rows printed in the table (default 30; --json prints all)

  Fix what it finds with: digit-workbench datasets version ID --relabel ROW=LABEL --exclude ROW`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      { dataset: { type: 'string' }, preset: { type: 'string' }, folds: { type: 'string' }, epochs: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      { min: 0, max: 0 },
    );
    if (values.help) return void console.log(this.usage);
    const ref = optionalString(values, 'dataset');
    if (ref === undefined) throw new UsageError('--dataset is required');
    const limit = optionalInt(values, 'limit') ?? 30;
    const wb = ctx.workbench();
    const dataset = await resolveDataset(wb, ref);
    const job = await wb.call('labels:start', {
      datasetId: dataset.id,
      preset: optionalString(values, 'preset'),
      folds: optionalInt(values, 'folds'),
      epochs: optionalInt(values, 'epochs'),
    });
    const runIds = job.runs.map((r) => r.id);
    const bar = progressBar(`${job.folds} folds`);
    const done = new Set<number>();
    const off = wb.on((event) => {
      if (event.type === 'run:progress' && runIds.includes(event.progress.runId)) {
        const p = event.progress;
        const fold = job.runs.find((r) => r.id === p.runId)!.fold;
        bar.update((done.size + (p.epoch - 1 + p.batch / p.batches) / p.epochs) / job.folds, `fold ${fold}/${job.folds} epoch ${p.epoch}/${p.epochs}`);
      } else if (event.type === 'run:status' && runIds.includes(event.runId) && !['queued', 'running'].includes(event.status)) {
        done.add(event.runId);
        const fold = job.runs.find((r) => r.id === event.runId)!.fold;
        bar.done();
        process.stderr.write(`fold ${fold}/${job.folds} (run ${event.runId}) ${event.status}${event.error ? `: ${event.error}` : ''}\n`);
      }
    });
    const stopAll = () => {
      process.stderr.write('\nstopping the fold runs\n');
      for (const id of runIds) void wb.call('runs:stop', { id }).catch(() => undefined);
    };
    process.once('SIGINT', stopAll);
    const unguard = guardProcess({ beforeExit: () => wb.close() });
    try {
      await Promise.all(runIds.map((id) => wb.runs.waitFor(id)));
    } finally {
      unguard();
      off();
      bar.done();
      process.off('SIGINT', stopAll);
    }
    const result = await wb.call('labels:issues', { key: job.key });
    if (result.job.status !== 'completed') {
      const bad = result.job.runs.filter((r) => r.status !== 'completed');
      process.exitCode = 1;
      return void console.error(`digit-workbench: fold run${bad.length > 1 ? 's' : ''} ${bad.map((r) => `${r.id} ${r.status}${r.error ? ` (${r.error})` : ''}`).join(', ')}: no issues computed`);
    }
    // On stderr, so --json output stays the issues alone: how good the fold models are, and a warning when weak.
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    console.error(`fold models: ${pct(result.accuracy ?? 0)} on the rows they held out (${result.folds.map((f) => `fold ${f.fold} ${pct(f.accuracy)}`).join(', ')})`);
    const weak = weakFoldsNote(result.accuracy, result.issues.length, dataset.rows);
    if (weak) console.error(`digit-workbench: warning: ${weak}`);
    if (values.json) return printJson({ issues: result.issues.map(({ row, label, suggested, score }) => ({ row, label, suggested, score })) });
    console.log(`${result.issues.length} likely label errors in dataset ${dataset.id} "${dataset.name}" (${int(dataset.rows)} rows, runs ${runIds.join(', ')})`);
    if (result.issues.length === 0) return;
    const shown = result.issues.slice(0, Math.max(1, limit));
    console.log(table(['ROW', 'LABEL', 'SUGGESTED', 'SCORE'], shown.map((i) => [i.row, i.label, i.suggested, i.score.toFixed(3)])));
    if (shown.length < result.issues.length) console.log(`… ${result.issues.length - shown.length} more (--limit N, or --json)`);
  },
};

/** --relabel ROW=LABEL and --exclude ROW values, with a usage error naming the bad one. */
export function parseVersionChanges(relabel: string[], exclude: string[]): { relabels: { row: number; label: number }[]; excludes: number[] } {
  const relabels = relabel.map((v) => {
    const m = /^(\d+)=(\d)$/.exec(v);
    if (!m) throw new UsageError(`--relabel must be ROW=LABEL with a label 0-9, e.g. 17=3 (got "${v}")`);
    return { row: Number(m[1]), label: Number(m[2]) };
  });
  const excludes = exclude.map((v) => {
    if (!/^\d+$/.test(v)) throw new UsageError(`--exclude must be a row number (got "${v}")`);
    return Number(v);
  });
  if (relabels.length === 0 && excludes.length === 0) throw new UsageError('datasets version needs at least one --relabel ROW=LABEL or --exclude ROW');
  return { relabels, excludes };
}
