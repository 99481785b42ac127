// Prediction throughput on a Kaggle-size test set (28,000 rows of real digits with small random shifts), through
// the real path: the CSV imported, each run's probabilities computed in a trainer process. seed-lenet5 and
// cnn-strong, with and without test-time augmentation. Target: seed-lenet5 predicts the 28,000 in ≤ 2 s.
//   node tests/bench/predict.js

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbench } from '../../build/node/core/workbench.js';
import { loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits, writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';
import { runProbabilities } from '../../build/node/core/inference/predictions.js';

const ROWS = 28_000;
const home = mkdtempSync(join(tmpdir(), 'dw-bench-predict-'));
const wb = new Workbench({ home });
try {
  const test = shiftedDigits(loadMnistDigits(), ROWS, 2801);
  const file = join(home, 'test.csv');
  await writeKaggleCsv(file, { pixels: test.pixels, labels: null });
  const { dataset } = await wb.importDataset({ path: file });
  const sample = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-train');
  console.log(`test set: ${dataset.rows} rows; runs trained 1 epoch on sample-train (weights do not change speed)`);
  for (const preset of ['seed-lenet5', 'cnn-strong']) {
    const [run] = await wb.call('runs:start', { datasetId: sample.id, preset, hyperparams: { epochs: 1 } });
    await wb.runs.waitFor(run.id);
    for (const tta of [false, true]) {
      // Warm the trainer process once so the figure is prediction, not process start.
      await wb.call('predict:image', { runId: run.id, pixels: Buffer.alloc(784).toString('base64') });
      const t0 = performance.now();
      await runProbabilities(wb.predictContext, run.id, { datasetId: dataset.id, weights: 'best', tta });
      const s = (performance.now() - t0) / 1000;
      console.log(`${preset.padEnd(12)} tta=${tta ? 'on ' : 'off'}  ${s.toFixed(2)} s  ${Math.round(ROWS / s).toLocaleString('en')} images/s${tta ? ' (5 views each)' : ''}`);
    }
  }
} finally {
  wb.close();
  rmSync(home, { recursive: true, force: true });
}
