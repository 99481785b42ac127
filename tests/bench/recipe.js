// Same recipe, same accuracy? cnn-strong's whole recipe (model, Keras-style BatchNorm, glorot init, Adam 1e-3 with
// lr·0.95^epoch, batch 64, augmentation, the last 10% as validation) trained here through the real trainer process
// and in PyTorch 1.13 (tests/bench/torch_recipe.py, 2 threads) on the same images, over several seeds each, runs
// interleaved (PyTorch seed 1, ours seed 1, PyTorch seed 2, …). Prints each run's validation curve, then both best
// validation accuracies as mean ± sd and whether their gap is within seed noise. Run after `npm run build:node`:
//   node tests/bench/recipe.js [--rows N] [--epochs E] [--seeds S] [--kind dense|sparse]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from '../../build/node/core/workbench.js';
import { denseDigits, loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits, writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(option('rows', 8000));
const EPOCHS = Number(option('epochs', 5));
const SEEDS = Number(option('seeds', 3));
const KIND = option('kind', 'dense');
const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pct = (x) => (100 * x).toFixed(2);

const dir = mkdtempSync(join(tmpdir(), 'dw-bench-recipe-'));
const wb = new Workbench({ home: join(dir, 'home') });
try {
  const src = loadMnistDigits();
  const data = KIND === 'dense' ? denseDigits(src, ROWS, 1207) : shiftedDigits(src, ROWS, 1207);
  const csv = join(dir, 'train.csv');
  await writeKaggleCsv(csv, { pixels: data.pixels, labels: data.labels });
  writeFileSync(join(dir, 'pixels.u8'), data.pixels);
  writeFileSync(join(dir, 'labels.u8'), data.labels);
  const { dataset } = await wb.call('datasets:import', { path: csv, name: `recipe-${KIND}` });
  console.log(
    `cnn-strong's recipe on ${ROWS} ${KIND} images (${ROWS - Math.round(ROWS * 0.1)} train, last ${Math.round(ROWS * 0.1)} validation), ` +
      `${EPOCHS} epochs, ${SEEDS} seeds each, interleaved`,
  );

  const results = { pytorch: [], ours: [] };
  const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    if (torchAvailable) {
      const out = spawnSync(PYTHON, [join(here, 'torch_recipe.py'), join(dir, 'pixels.u8'), join(dir, 'labels.u8'), String(EPOCHS), String(seed), '2'], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`torch_recipe.py failed: ${out.stderr}`);
      const r = JSON.parse(out.stdout.trim().split('\n').at(-1));
      results.pytorch.push(r.best);
      console.log(`  PyTorch ${r.torch} seed ${seed}: val ${r.valAcc.map(pct).join(', ')} → best ${pct(r.best)}% (${r.seconds.toFixed(0)} s)`);
    }
    const started = performance.now();
    const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset: 'cnn-strong', hyperparams: { epochs: EPOCHS, seed } });
    const status = await wb.runs.waitFor(run.id);
    const r = await wb.call('runs:get', { id: run.id });
    if (status !== 'completed') throw new Error(`run ${run.id} ended ${status}: ${r.error ?? ''}`);
    results.ours.push(r.bestValAcc);
    const seconds = (performance.now() - started) / 1000;
    console.log(`  ours (${r.backend}) seed ${seed}: val ${r.epochs.map((e) => pct(e.valAcc)).join(', ')} → best ${pct(r.bestValAcc)}% (${seconds.toFixed(0)} s)`);
  }

  const line = (name, xs) => `${name.padEnd(8)} best validation accuracy ${pct(mean(xs))}% ± ${pct(sd(xs))} (n=${xs.length}; ${xs.map(pct).join(', ')})`;
  console.log(line('ours', results.ours));
  if (!torchAvailable) {
    console.log(`PyTorch  skipped: ${PYTHON} cannot import torch (Debian: apt install python3-torch)`);
  } else {
    console.log(line('PyTorch', results.pytorch));
    // Welch-style: the gap against the standard error of the difference of the two means.
    const gap = mean(results.ours) - mean(results.pytorch);
    const se = Math.sqrt(sd(results.ours) ** 2 / SEEDS + sd(results.pytorch) ** 2 / SEEDS);
    const within = Math.abs(gap) <= 2 * se;
    console.log(
      `gap ours − PyTorch: ${gap >= 0 ? '+' : ''}${pct(gap)} points, 2 standard errors ${pct(2 * se)}: ` +
        (within ? 'within seed noise' : gap > 0 ? 'ours higher, beyond seed noise' : 'ours LOWER, beyond seed noise'),
    );
  }
} finally {
  wb.close();
  rmSync(dir, { recursive: true, force: true });
}
