// lr-find: the learning-rate range test from the terminal, to pick --learning-rate before a long run.

import { parse, optionalInt, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { table } from '../format.js';
import { resolveDataset } from '../resolve.js';

export const lrFindCommand: Command = {
  name: 'lr-find',
  summary: 'learning-rate range test: loss against learning rate, and a suggested rate',
  usage: `digit-workbench lr-find --dataset ID|NAME --preset NAME [--steps N] [--json]

  Trains the preset's model from scratch for ~100 mini-batches (--steps, default 100) of the training split while
  the learning rate rises exponentially from 1e-7 to 1, recording the smoothed loss; stops once the loss exceeds
  4× its minimum. Suggests the rate where the loss falls fastest (else the rate of the minimum loss / 10).
  Nothing is stored. Then: digit-workbench train ... --learning-rate <suggested>

  --json   {"suggested", "steepest", "minOver10", "backend", "points": [{"lr", "loss"}]}`,
  async run(argv, ctx) {
    const { values } = parse(argv, { dataset: { type: 'string' }, preset: { type: 'string' }, steps: { type: 'string' }, json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const ref = optionalString(values, 'dataset');
    const preset = optionalString(values, 'preset');
    if (ref === undefined) throw new UsageError('--dataset is required');
    if (preset === undefined) throw new UsageError('--preset is required');
    const wb = ctx.workbench();
    const dataset = await resolveDataset(wb, ref);
    const result = await wb.call('runs:lr-find', { datasetId: dataset.id, preset, steps: optionalInt(values, 'steps') });
    if (values.json) {
      const { suggested, steepest, minOver10, backend, points } = result;
      return printJson({ suggested, steepest, minOver10, backend, points });
    }
    const every = Math.max(1, Math.ceil(result.points.length / 12));
    const shown = result.points.filter((_, i) => i % every === 0 || i === result.points.length - 1);
    console.log(table(['LR', 'SMOOTHED LOSS'], shown.map((p) => [p.lr.toExponential(1), p.loss.toFixed(4)])));
    const fmt = (v: number | null) => (v === null ? '–' : v.toExponential(1));
    console.log(`suggested learning rate ${fmt(result.suggested)} (steepest descent ${fmt(result.steepest)}, minimum/10 ${fmt(result.minOver10)}) · ${result.points.length} batches · backend ${result.backend}`);
  },
};
