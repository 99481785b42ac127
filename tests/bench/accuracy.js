// Validation accuracy of the presets on the bundled sample (8,000 real digits, last 10% as validation), trained
// through the real trainer process. Targets: seed-lenet5 ≥ 0.97, cnn-strong ≥ 0.985. Run after the build:
//   node tests/bench/accuracy.js [--presets seed-lenet5,cnn-strong] [--epochs N]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbench } from '../../build/node/core/workbench.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const presets = opt('presets', 'seed-lenet5,cnn-strong').split(',');
const epochs = opt('epochs', undefined);
const targets = { 'seed-lenet5': 0.97, 'cnn-strong': 0.985, dnn: 0.94 };

const home = mkdtempSync(join(tmpdir(), 'dw-bench-acc-'));
const wb = new Workbench({ home });
try {
  const sample = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-train');
  console.log(`dataset: sample-train, ${sample.rows} real digits; validation: the last 10%`);
  for (const preset of presets) {
    const started = performance.now();
    const [run] = await wb.call('runs:start', { datasetId: sample.id, preset, hyperparams: epochs ? { epochs: Number(epochs) } : {} });
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id) {
        const m = e.metrics;
        process.stderr.write(`  ${preset} epoch ${m.epoch}: loss ${m.loss.toFixed(4)} val_acc ${m.valAcc.toFixed(4)} lr ${m.lr.toExponential(1)} ${Math.round(m.imagesPerSecond)} img/s\n`);
      }
    });
    const status = await wb.runs.waitFor(run.id);
    off();
    const r = await wb.call('runs:get', { id: run.id });
    const seconds = (performance.now() - started) / 1000;
    const verdict = r.bestValAcc >= (targets[preset] ?? 0) ? 'meets' : 'BELOW';
    console.log(
      `${preset.padEnd(12)} ${status}: best val accuracy ${r.bestValAcc.toFixed(4)} at epoch ${r.bestEpoch} of ${r.epochs.length} ` +
        `(${verdict} target ${targets[preset] ?? '–'}), backend ${r.backend}, ${Math.round(r.imagesPerSecond)} img/s, ${seconds.toFixed(0)} s`,
    );
  }
} finally {
  wb.close();
  rmSync(home, { recursive: true, force: true });
}
