// Can ASHA trust epoch 1? The same 12-trial random sweep of cnn-strong (learning rate, batch size, dropout-free
// variants of the preset) run once per BatchNorm statistics option, every trial to its last epoch (no pruning, so
// each has a final accuracy), through the real sweep manager and trainer. Training is the same for every option (the
// statistics only change what validation normalises with), so the sweeps differ only in what they would have judged.
// Prints per option each trial's epoch-1 and final validation accuracy, the Spearman rank correlation between them,
// and what ASHA at epoch 1 keeping 1/3 would have kept: whether the final best trial survives. Run after
// `npm run build:node`:
//   node tests/bench/asha-rank.js [--rows N] [--epochs E] [--trials T] [--options keras,recomputed] [--kind dense|sparse]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbench } from '../../build/node/core/workbench.js';
import { denseDigits, loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits, writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(option('rows', 3000));
const EPOCHS = Number(option('epochs', 4));
const TRIALS = Number(option('trials', 12));
const OPTIONS = option('options', 'keras,recomputed').split(',');
const KIND = option('kind', 'dense');
const KEEP = Math.ceil(TRIALS / 3);

/** Ranks with ties averaged (1-based). */
function ranks(xs) {
  const order = xs.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
  const out = new Array(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's ρ: Pearson's correlation of the ranks (ties averaged); null when either side is constant. */
function spearman(a, b) {
  const [ra, rb] = [ranks(a), ranks(b)];
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(ra), mean(rb)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? null : sab / Math.sqrt(saa * sbb);
}

const pct = (x) => (x === null || x === undefined ? '  –  ' : (100 * x).toFixed(1).padStart(5));
const dir = mkdtempSync(join(tmpdir(), 'dw-bench-asha-'));
const wb = new Workbench({ home: join(dir, 'home') });
try {
  const src = loadMnistDigits();
  const data = KIND === 'dense' ? denseDigits(src, ROWS, 1207) : shiftedDigits(src, ROWS, 1207);
  const csv = join(dir, 'train.csv');
  await writeKaggleCsv(csv, { pixels: data.pixels, labels: data.labels });
  const { dataset } = await wb.call('datasets:import', { path: csv, name: `asha-${KIND}` });
  console.log(`${TRIALS} random cnn-strong trials on ${ROWS} ${KIND} images (last 10% validation), ${EPOCHS} epochs each, no pruning; ` +
    `learningRate=log:2e-4..5e-3, batchSize=32,64,128, sweep seed 7`);
  const summary = [];
  for (const stats of OPTIONS) {
    const started = performance.now();
    const info = await wb.call('sweeps:start', {
      datasetId: dataset.id,
      preset: 'cnn-strong',
      hyperparams: { epochs: EPOCHS, batchNormStats: stats },
      params: ['learningRate=log:2e-4..5e-3', 'batchSize=32,64,128'],
      trials: TRIALS,
      search: 'random',
      seed: 7,
    });
    await wb.sweeps.waitFor(info.id);
    const detail = await wb.call('sweeps:get', { id: info.id });
    const trials = [];
    for (const t of detail.trialList) {
      const run = await wb.call('runs:get', { id: t.runId });
      trials.push({ trial: t.runId, params: t.params, first: run.epochs[0]?.valAcc ?? null, last: run.epochs.at(-1)?.valAcc ?? null, status: run.status });
    }
    const minutes = (performance.now() - started) / 60_000;
    console.log(`\nBatchNorm statistics ${stats} (${minutes.toFixed(1)} min)`);
    console.log('  run  learningRate  batch  epoch 1  final');
    for (const t of trials) {
      console.log(`${String(t.trial).padStart(5)}  ${Number(t.params.learningRate).toExponential(2).padStart(12)}  ${String(t.params.batchSize).padStart(5)}  ${pct(t.first)}%  ${pct(t.last)}%${t.status === 'completed' ? '' : ` (${t.status})`}`);
    }
    const done = trials.filter((t) => t.first !== null && t.last !== null);
    const rho = spearman(done.map((t) => t.first), done.map((t) => t.last));
    // ASHA at epoch 1 with reduction factor 3 keeps the top third by epoch-1 accuracy.
    const kept = [...done].sort((a, b) => b.first - a.first).slice(0, KEEP).map((t) => t.trial);
    const top = Math.max(...done.map((t) => t.last));
    const bests = done.filter((t) => t.last === top).map((t) => t.trial);
    const verdict = bests.length === done.length
      ? `every trial ends at ${pct(top).trim()}%: there is no best to keep`
      : `the final best (run ${bests.join(', ')}, ${pct(top).trim()}%) ${bests.some((b) => kept.includes(b)) ? 'survives' : 'is PRUNED'}`;
    const line = `Spearman ρ(epoch 1, final) = ${rho === null ? 'undefined (a constant side)' : rho.toFixed(2)} over ${done.length} trials; ` +
      `ASHA at epoch 1 keeping ${KEEP} keeps runs ${kept.join(', ')}: ${verdict}`;
    console.log(line);
    summary.push(`${stats.padEnd(10)} ${line}`);
  }
  console.log(`\n${summary.join('\n')}`);
} finally {
  wb.close();
  rmSync(dir, { recursive: true, force: true });
}
