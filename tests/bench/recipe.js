// Same recipe, same accuracy? cnn-strong's whole recipe (model, Keras-style BatchNorm, glorot init, Adam 1e-3 with
// lr·0.95^epoch, batch 64, augmentation, the last 10% as validation) trained here on the engine with the trainer's own
// batches (epoch order, augmentation streams, dropout) and in PyTorch 1.13 (tests/bench/torch_recipe.py, 2 threads)
// on the same images, over several seeds each, runs interleaved (PyTorch seed 1, ours seed 1, PyTorch seed 2, …).
// The BatchNorm statistics options change only what validation normalises with, never the training, so each side
// trains once per seed and scores every epoch three ways: keras (the moving averages), debiased (those corrected by
// 1 − 0.99ᵗ) and recomputed (2,048 training images through the engine's recomputeBatchNormStats, as the trainer
// does). --check also trains seed 1 through the real trainer process with each option and requires its curve to
// equal this one. Nothing in the recipe depends on the number of epochs (no plateau or early-stopping callback, the
// decay is per epoch from the start), so the first E/2 epochs of an E-epoch run are also that shorter run. Prints
// each curve, then per option and epoch the validation accuracy as mean ± sd on both sides, and the best accuracy
// by E/2 and by E with whether the gap is within seed noise. Run after `npm run build:node`:
//   node tests/bench/recipe.js [--rows N] [--epochs E] [--seeds S] [--kind dense|sparse] [--check] [--torch-threads T]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from '../../build/node/core/workbench.js';
import { denseDigits, loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits, writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';
import { presets } from '../../build/node/core/training/presets.js';
import { batchRandom, epochOrder, fillBatch } from '../../build/node/trainer/batches.js';
import { createEngine, planModel } from '../../build/node/trainer/engine/index.js';
import { BN_MOMENTUM } from '../../build/node/trainer/engine/model.js';
import { recipeSplit } from './recipe-split.js';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(option('rows', 8000));
const EPOCHS = Number(option('epochs', 10));
const SEEDS = Number(option('seeds', 5));
const OPTIONS = ['keras', 'debiased', 'recomputed'];
const CHECK = process.argv.includes('--check');
// Accuracy does not depend on PyTorch's threads; on a loaded machine 1 thread wastes less time waiting for the other.
const TORCH_THREADS = option('torch-threads', '2');
const SHORT = Math.max(1, Math.floor(EPOCHS / 2));
const KIND = option('kind', 'dense');
const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pct = (x) => (100 * x).toFixed(2);

/** The trainer loop's training (train-loop.ts) on the engine, each epoch validated with every option. */
async function oursRun(data, seed) {
  const hp = { ...presets['cnn-strong'].hyperparams, epochs: EPOCHS, seed };
  const { nVal, train, val, sample } = recipeSplit(data, hp, seed);
  const opts = { layers: hp.model, optimizer: { name: hp.optimizer, learningRate: hp.learningRate, momentum: hp.momentum }, seed };
  const engine = await createEngine({ ...opts, batchNormStats: 'keras' });
  const judge = await createEngine({ ...opts, batchNormStats: 'keras' });
  const slots = planModel(hp.model).layers.filter((l) => l.spec.type === 'batchNorm').map((l) => l.params.slice(2));
  const x = new Float32Array(hp.batchSize * 784);
  const y = new Uint8Array(hp.batchSize);
  const curves = { keras: [], debiased: [], recomputed: [] };
  const started = performance.now();
  try {
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      engine.setLearningRate(hp.learningRate * hp.lrDecay.rate ** (epoch - 1));
      const order = epochOrder(train, hp.shuffleBuffer, seed, epoch);
      for (let b = 0, start = 0; start < train.length; b++, start += hp.batchSize) {
        const end = Math.min(train.length, start + hp.batchSize);
        const m = end - start;
        fillBatch({ pixels: data.pixels, labels: data.labels, order, start, end, x, y, augmentation: hp.augmentation, random: batchRandom(seed, epoch, b) });
        await engine.trainBatch(x.subarray(0, m * 784), y.subarray(0, m));
      }
      const acc = async (e) => (await e.evaluate(val.x, val.y)).correct / nVal;
      curves.keras.push(await acc(engine));
      const state = await engine.saveState();
      // Debiased from Keras's averages: (r_t − 0.99ᵗ r_0) / (1 − 0.99ᵗ), r_0 = 0 for means and 1 for variances.
      const w = new Float32Array(state.weights.slice().buffer);
      const decay = BN_MOMENTUM ** state.step;
      for (const [mm, mv] of slots) {
        for (let k = 0; k < mm.size; k++) w[mm.offset + k] /= 1 - decay;
        for (let k = 0; k < mv.size; k++) w[mv.offset + k] = (w[mv.offset + k] - decay) / (1 - decay);
      }
      await judge.loadState({ ...state, weights: new Uint8Array(w.buffer) });
      curves.debiased.push(await acc(judge));
      await judge.loadState(state);
      await judge.recomputeBatchNormStats(sample, hp.batchSize);
      curves.recomputed.push(await acc(judge));
    }
  } finally {
    await engine.dispose();
    await judge.dispose();
  }
  return { curves, seconds: (performance.now() - started) / 1000, backend: engine.backend };
}

const dir = mkdtempSync(join(tmpdir(), 'dw-bench-recipe-'));
const wb = new Workbench({ home: join(dir, 'home') });
try {
  const src = loadMnistDigits();
  const data = KIND === 'dense' ? denseDigits(src, ROWS, 1207) : shiftedDigits(src, ROWS, 1207);
  const csv = join(dir, 'train.csv');
  await writeKaggleCsv(csv, { pixels: data.pixels, labels: data.labels });
  writeFileSync(join(dir, 'pixels.u8'), data.pixels);
  writeFileSync(join(dir, 'labels.u8'), data.labels);
  const { dataset } = CHECK ? await wb.call('datasets:import', { path: csv, name: `recipe-${KIND}` }) : { dataset: null };
  console.log(
    `cnn-strong's recipe on ${ROWS} ${KIND} images (${ROWS - Math.round(ROWS * 0.1)} train, last ${Math.round(ROWS * 0.1)} validation), ` +
      `${EPOCHS} epochs, ${SEEDS} seeds each, BatchNorm statistics ${OPTIONS.join(', ')}, interleaved`,
  );

  // curves[side][option] = one validation curve per seed
  const curves = { pytorch: {}, ours: {} };
  for (const o of OPTIONS) [curves.pytorch[o], curves.ours[o]] = [[], []];
  const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    if (torchAvailable) {
      const out = spawnSync(PYTHON, [join(here, 'torch_recipe.py'), join(dir, 'pixels.u8'), join(dir, 'labels.u8'), String(EPOCHS), String(seed), TORCH_THREADS], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`torch_recipe.py failed: ${out.stderr}`);
      const r = JSON.parse(out.stdout.trim().split('\n').at(-1));
      for (const o of OPTIONS) {
        curves.pytorch[o].push(r.valAcc[o]);
        console.log(`  PyTorch ${r.torch} ${o.padEnd(10)} seed ${seed}: val ${r.valAcc[o].map(pct).join(', ')}`);
      }
      console.log(`    (${r.seconds.toFixed(0)} s)`);
    }
    const r = await oursRun(data, seed);
    for (const o of OPTIONS) {
      curves.ours[o].push(r.curves[o]);
      console.log(`  ours (${r.backend}) ${o.padEnd(10)} seed ${seed}: val ${r.curves[o].map(pct).join(', ')}`);
    }
    console.log(`    (${r.seconds.toFixed(0)} s)`);
    if (CHECK && seed === 1) {
      for (const o of OPTIONS) {
        const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset: 'cnn-strong', hyperparams: { epochs: EPOCHS, seed, batchNormStats: o } });
        const status = await wb.runs.waitFor(run.id);
        const t = await wb.call('runs:get', { id: run.id });
        if (status !== 'completed') throw new Error(`run ${run.id} ended ${status}: ${t.error ?? ''}`);
        const curve = t.epochs.map((e) => e.valAcc);
        const same = curve.every((v, i) => Math.abs(v - r.curves[o][i]) < 1e-9);
        console.log(`  check: the trainer process with ${o} (${t.backend}, ${t.workers} worker${t.workers === 1 ? '' : 's'}): val ${curve.map(pct).join(', ')}: ${same ? 'the same curve' : 'DIFFERS'}`);
      }
    }
  }

  const sides = torchAvailable ? ['ours', 'pytorch'] : ['ours'];
  const ms = (xs) => `${pct(mean(xs)).padStart(6)} ± ${pct(sd(xs)).padStart(5)}`;
  console.log(`\nvalidation accuracy by epoch, mean ± sd over ${SEEDS} seeds (%)`);
  console.log(`epoch  ${OPTIONS.flatMap((o) => sides.map((side) => `${side === 'ours' ? 'ours' : 'PyTorch'} ${o}`.padEnd(17))).join(' ')}`);
  for (let e = 0; e < EPOCHS; e++) {
    console.log(`${String(e + 1).padStart(5)}  ${OPTIONS.flatMap((o) => sides.map((side) => ms(curves[side][o].map((c) => c[e])).padEnd(17))).join(' ')}`);
  }
  // Welch-style: the gap against the standard error of the difference of the two means.
  const verdict = (a, b) => {
    const gap = mean(a) - mean(b);
    const se = Math.sqrt(sd(a) ** 2 / a.length + sd(b) ** 2 / b.length);
    // (A gap of rounding size with no spread, e.g. both sides at chance on every seed, is no gap.)
    const word = Math.abs(gap) <= Math.max(2 * se, 1e-9) ? 'within seed noise' : gap > 0 ? 'ours higher, beyond seed noise' : 'ours LOWER, beyond seed noise';
    return `${gap >= 0 ? '+' : ''}${pct(gap)} points (2 s.e. ${pct(2 * se)}): ${word}`;
  };
  for (const upTo of [SHORT, EPOCHS]) {
    console.log(`\nbest validation accuracy within ${upTo} epochs, mean ± sd`);
    for (const o of OPTIONS) {
      const ours = curves.ours[o].map((c) => Math.max(...c.slice(0, upTo)));
      let text = `  ${o.padEnd(10)} ours ${ms(ours)}`;
      if (torchAvailable) {
        const torch = curves.pytorch[o].map((c) => Math.max(...c.slice(0, upTo)));
        text += `   PyTorch ${ms(torch)}   ours − PyTorch ${verdict(ours, torch)}`;
      }
      console.log(text);
    }
  }
  if (!torchAvailable) console.log(`PyTorch  skipped: ${PYTHON} cannot import torch (Debian: apt install python3-torch)`);
} finally {
  wb.close();
  rmSync(dir, { recursive: true, force: true });
}
