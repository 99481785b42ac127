// Validation accuracy of the presets on the bundled sample (8,000 real digits, last 10% as validation), trained
// through the real trainer process, and the minutes from a fresh data folder (the sample's import included) to the
// first epoch at ≥ 0.99 validation accuracy. Targets: seed-lenet5 ≥ 0.97, cnn-strong ≥ 0.995 (its 30 epochs).
// With --kaggle, a Kaggle-size train.csv (42,000 real MNIST digits, shifted up to ±2 pixels) is written and imported
// (timed) instead; --until-good stops each run at its first epoch at ≥ 0.99. Run after the build:
// --backend wasm (or native, cpu) trains on that backend instead of the one the app picks.
//   node tests/bench/accuracy.js [--presets seed-lenet5,cnn-strong] [--epochs N] [--kaggle] [--until-good] [--backend NAME]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbench } from '../../build/node/core/workbench.js';
import { loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits, writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const presets = opt('presets', 'seed-lenet5,cnn-strong').split(',');
const epochs = opt('epochs', undefined);
const kaggle = args.includes('--kaggle');
const untilGood = args.includes('--until-good');
const backend = opt('backend', undefined);
const targets = { 'seed-lenet5': 0.97, 'cnn-strong': 0.995, dnn: 0.94 };
const GOOD = 0.99;

const home = mkdtempSync(join(tmpdir(), 'dw-bench-acc-'));
let csv = null;
if (kaggle) {
  csv = join(home, 'kaggle-train.csv');
  const digits = shiftedDigits(loadMnistDigits(), 42_000, 4242);
  await writeKaggleCsv(csv, { pixels: digits.pixels, labels: digits.labels });
}
const opened = performance.now();
const wb = new Workbench({ home: join(home, 'data'), backend });
try {
  const sample = csv
    ? (await wb.call('datasets:import', { path: csv, name: 'kaggle-train' })).dataset
    : (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-train');
  const importSeconds = (performance.now() - opened) / 1000;
  console.log(`dataset: ${sample.name}, ${sample.rows} real digits (imported into a fresh data folder in ${importSeconds.toFixed(1)} s); validation: the last 10%`);
  for (const preset of presets) {
    const started = performance.now();
    let good = null;
    const [run] = await wb.call('runs:start', { datasetId: sample.id, preset, hyperparams: epochs ? { epochs: Number(epochs) } : {} });
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id) {
        const m = e.metrics;
        if (good === null && m.valAcc >= GOOD) {
          good = { epoch: m.epoch, seconds: (performance.now() - started) / 1000 };
          if (untilGood) void wb.call('runs:stop', { id: run.id });
        }
        process.stderr.write(`  ${preset} epoch ${m.epoch}: loss ${m.loss.toFixed(4)} val_acc ${m.valAcc.toFixed(4)} lr ${m.lr.toExponential(1)} ${Math.round(m.imagesPerSecond)} img/s\n`);
      }
    });
    const status = await wb.runs.waitFor(run.id);
    off();
    const r = await wb.call('runs:get', { id: run.id });
    const seconds = (performance.now() - started) / 1000;
    if (r.bestValAcc === null) throw new Error(`${preset}: run ${run.id} ended ${status} without a finished epoch: ${r.error ?? ''}`);
    const verdict = r.bestValAcc >= (targets[preset] ?? 0) ? 'meets' : 'BELOW';
    console.log(
      `${preset.padEnd(12)} ${status}: best val accuracy ${r.bestValAcc.toFixed(4)} at epoch ${r.bestEpoch} of ${r.epochs.length} ` +
        `(${verdict} target ${targets[preset] ?? '–'}), backend ${r.backend}, ${Math.round(r.imagesPerSecond)} img/s, ${seconds.toFixed(0)} s`,
    );
    console.log(
      good
        ? `${''.padEnd(12)} ≥ ${GOOD} validation accuracy at epoch ${good.epoch}: ${((importSeconds + good.seconds) / 60).toFixed(1)} min from import`
        : `${''.padEnd(12)} never reached ${GOOD} validation accuracy`,
    );
  }
} finally {
  wb.close();
  rmSync(home, { recursive: true, force: true });
}
