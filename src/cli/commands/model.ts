// model export: a run's model as tfjs files (a folder) or as one ONNX file.

import { resolve } from 'node:path';
import { MODEL_FORMATS, type ModelFormat } from '../../shared/model-export.js';
import { parse, optionalInt, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';

export const modelCommand: Command = {
  name: 'model',
  summary: "export a run's model as tfjs files (model.json + weights.bin) or one ONNX file",
  usage: `digit-workbench model export --run ID --out DIR|FILE.onnx [--format tfjs|onnx] [--weights best|last] [--force] [--json]

  --format tfjs (the default, unless --out ends in .onnx): a folder with a tfjs layers model that
  tf.loadLayersModel('file://DIR/model.json') loads; inputs are 28×28×1 pixels scaled to 0–1.
  --format onnx: one .onnx file (opset 13) for ONNX Runtime, Netron, PyTorch or C# tools; input "pixels"
  float32 [N,28,28,1] holding the raw bytes 0–255 (the model scales them), output "probabilities" [N,10].
  --weights best (default: the epoch with the highest val accuracy) or last.
  Written whole or not at all. --force replaces a folder only when it holds nothing but a previous tfjs
  export (marked by .digit-workbench-model.json), and a .onnx file only while its contents are an export
  the app recorded; anything else at the path is the user's and is never replaced.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(
      argv,
      {
        run: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        weights: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1 },
    );
    if (values.help) return void console.log(this.usage);
    if (positionals[0] !== 'export') throw new UsageError(`unknown model subcommand "${positionals[0]}" (export)`);
    const id = optionalInt(values, 'run');
    const out = optionalString(values, 'out');
    const weights = optionalString(values, 'weights') ?? 'best';
    if (id === undefined) throw new UsageError('model export needs --run ID');
    if (!out) throw new UsageError('model export needs --out DIR (tfjs) or --out FILE.onnx');
    if (weights !== 'best' && weights !== 'last') throw new UsageError(`--weights must be best or last (got "${weights}")`);
    const format = optionalString(values, 'format') ?? (out.toLowerCase().endsWith('.onnx') ? 'onnx' : 'tfjs');
    if (!(MODEL_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${MODEL_FORMATS.join(' or ')} (got "${format}")`);
    const result = await ctx.workbench().call('runs:export-model', { id, out: resolve(out), weights, format: format as ModelFormat, force: values.force === true });
    if (values.json) return printJson({ run: id, weights, ...result });
    const what = result.format === 'onnx' ? 'an ONNX model' : 'a tfjs model';
    console.log(`exported run ${id} (${weights} weights, epoch ${result.epoch}) as ${what} to ${result.path}`);
  },
};
