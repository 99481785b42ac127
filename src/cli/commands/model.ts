// model export: a run's weights as tfjs files.

import { resolve } from 'node:path';
import { parse, optionalInt, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';

export const modelCommand: Command = {
  name: 'model',
  summary: "export a run's model as tfjs files (model.json + weights.bin)",
  usage: `digit-workbench model export --run ID --out DIR [--weights best|last] [--force] [--json]

  Writes a tfjs layers model that tf.loadLayersModel('file://DIR/model.json') loads; inputs are
  28×28×1 pixels scaled to 0–1. --weights best (default: the epoch with the highest val accuracy)
  or last. The folder is written whole or not at all, with a marker file (.digit-workbench-model.json);
  --force replaces an existing folder only when it holds nothing but such a previous export.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(
      argv,
      { run: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    if (values.help) return void console.log(this.usage);
    if (positionals[0] !== 'export') throw new UsageError(`unknown model subcommand "${positionals[0]}" (export)`);
    const id = optionalInt(values, 'run');
    const out = optionalString(values, 'out');
    const weights = optionalString(values, 'weights') ?? 'best';
    if (id === undefined) throw new UsageError('model export needs --run ID');
    if (!out) throw new UsageError('model export needs --out DIR');
    if (weights !== 'best' && weights !== 'last') throw new UsageError(`--weights must be best or last (got "${weights}")`);
    const result = await ctx.workbench().call('runs:export-model', { id, out: resolve(out), weights, force: values.force === true });
    if (values.json) return printJson({ run: id, weights, ...result });
    console.log(`exported run ${id} (${weights} weights, epoch ${result.epoch}) to ${result.path}`);
  },
};
