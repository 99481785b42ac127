// Where do our curve and PyTorch's part? One cnn-strong run (bench:recipe's recipe and data) is replayed in PyTorch
// from the engine's own random streams: its initial weights, each epoch's order, every augmented batch as the
// trainer builds it, and the dropout masks the engine draws at every step, all sent to tests/bench/torch_replay.py
// over a pipe. Both sides then do the same arithmetic on the same numbers, so any gap is in the arithmetic (a layer's
// gradient, the optimizer, BatchNorm), not in the luck of the draws. Prints, per epoch, the mean training loss and
// the recomputed-statistics validation accuracy on both sides; at a few steps, how far apart the weights are
// (largest relative difference per parameter, both sides' weights in the engine's layout); and, beside them,
// PyTorch trained with its own streams (torch_recipe.py) for the same seed. Run after `npm run build:node`:
//   node tests/bench/replay.js [--rows 2000] [--epochs 10] [--seed 1] [--kind dense|sparse] [--adam keras|torch]

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseDigits, loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits } from '../../build/node/core/datasets/kaggle-csv.js';
import { presets } from '../../build/node/core/training/presets.js';
import { batchRandom, epochOrder, fillBatch } from '../../build/node/trainer/batches.js';
import { createEngine, planModel } from '../../build/node/trainer/engine/index.js';
import { dropoutMask } from '../../build/node/trainer/engine/random.js';
import { recipeSplit } from './recipe-split.js';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(option('rows', 2000));
const EPOCHS = Number(option('epochs', 10));
const SEED = Number(option('seed', 1));
// The replay's optimizer: keras (the engine's: ε added to √v before the bias correction of the step) or torch
// (torch.optim.Adam, which bench:recipe's PyTorch side uses: ε added to the bias-corrected √v̂). The two differ only
// where √v is near ε·(1 − β₂ᵗ)^-½, i.e. for gradients of ~1e-6 in the first steps.
const ADAM = option('adam', 'keras');
if (!['keras', 'torch'].includes(ADAM)) throw new Error(`--adam: keras or torch (got ${ADAM})`);
const KIND = option('kind', 'dense');
const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));
/** Steps (counted from 1) after which both sides' weights are compared; the last step of each epoch is added. */
const SNAPSHOT_STEPS = [1, 2, 5, 10, 50];

if (spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) {
  console.log(`replay skipped: ${PYTHON} cannot import torch (Debian: apt install python3-torch)`);
  process.exit(0);
}

const hp = { ...presets['cnn-strong'].hyperparams, epochs: EPOCHS, seed: SEED };
const plan = planModel(hp.model);
const src = loadMnistDigits();
const data = KIND === 'dense' ? denseDigits(src, ROWS, 1207) : shiftedDigits(src, ROWS, 1207);
const { nVal, train, val, sample } = recipeSplit(data, hp, SEED);
const dropouts = plan.layers.filter((l) => l.spec.type === 'dropout').map((l) => ({ index: l.index, rate: l.spec.rate, shape: l.outShape }));
const stepsPerEpoch = Math.ceil(train.length / hp.batchSize);
const snapshots = [...new Set([...SNAPSHOT_STEPS, ...Array.from({ length: EPOCHS }, (_, e) => (e + 1) * stepsPerEpoch)])]
  .filter((s) => s <= EPOCHS * stepsPerEpoch)
  .sort((a, b) => a - b);

const dir = mkdtempSync(join(tmpdir(), 'dw-bench-replay-'));
const engine = await createEngine({ layers: hp.model, optimizer: { name: hp.optimizer, learningRate: hp.learningRate, momentum: hp.momentum }, seed: SEED, batchNormStats: 'recomputed' });
const judge = await createEngine({ layers: hp.model, optimizer: { name: hp.optimizer, learningRate: hp.learningRate, momentum: hp.momentum }, seed: SEED, batchNormStats: 'recomputed' });
try {
  const header = {
    layers: plan.layers.map((l) => ({
      index: l.index,
      type: l.spec.type,
      stride: l.spec.strides ?? 1,
      padding: l.spec.padding ?? null,
      activation: l.spec.activation ?? null,
      outShape: l.outShape,
      params: l.params.map((p) => ({ name: p.name, shape: p.shape, offset: p.offset, size: p.size })),
    })),
    size: plan.size,
    dropouts,
    batchSize: hp.batchSize,
    learningRate: hp.learningRate,
    decay: hp.lrDecay.rate,
    epochs: EPOCHS,
    stepsPerEpoch,
    trainRows: train.length,
    valRows: nVal,
    sampleRows: sample.length / 784,
    snapshots,
    // The float64 copy follows the first epoch only (its convolutions run ~10× slower than float32's).
    // (None with --adam torch: the weights then follow another optimizer than ours, so they are not compared.)
    exactSteps: ADAM === 'keras' ? stepsPerEpoch : 0,
    adam: ADAM,
    threads: 2,
    dir,
  };
  const py = spawn(PYTHON, [join(here, 'torch_replay.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let pyOut = '';
  py.stdout.on('data', (d) => (pyOut += d));
  const pyExit = once(py, 'exit');
  const send = async (buf) => {
    if (!py.stdin.write(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength))) await once(py.stdin, 'drain');
  };
  await send(Buffer.from(`${JSON.stringify(header)}\n`));
  const initial = await engine.saveState();
  await send(initial.weights);
  await send(val.x);
  await send(val.y);
  await send(sample);

  const ours = { loss: [], val: [], weights: new Map() };
  const x = new Float32Array(hp.batchSize * 784);
  const y = new Uint8Array(hp.batchSize);
  let step = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    engine.setLearningRate(hp.learningRate * hp.lrDecay.rate ** (epoch - 1));
    const order = epochOrder(train, hp.shuffleBuffer, SEED, epoch);
    let lossSum = 0;
    for (let b = 0, start = 0; start < train.length; b++, start += hp.batchSize) {
      const end = Math.min(train.length, start + hp.batchSize);
      const m = end - start;
      fillBatch({ pixels: data.pixels, labels: data.labels, order, start, end, x, y, augmentation: hp.augmentation, random: batchRandom(SEED, epoch, b) });
      // The masks the engine draws for this step (keyed by seed, step, layer and image), as 0/1 bytes.
      const masks = dropouts.map((d) => {
        const perImage = d.shape.reduce((a, c) => a * c, 1);
        const mask = dropoutMask(SEED, step, d.index, 0, m, perImage, d.rate);
        return Uint8Array.from(mask, (v) => (v === 0 ? 0 : 1));
      });
      await send(Int32Array.of(m));
      await send(x.subarray(0, m * 784));
      await send(y.subarray(0, m));
      for (const mask of masks) await send(mask);
      const r = await engine.trainBatch(x.subarray(0, m * 784), y.subarray(0, m));
      lossSum += r.loss * m;
      step++;
      if (snapshots.includes(step)) ours.weights.set(step, new Float32Array((await engine.saveState()).weights.slice().buffer));
    }
    ours.loss.push(lossSum / train.length);
    await judge.loadState(await engine.saveState());
    await judge.recomputeBatchNormStats(sample, hp.batchSize);
    ours.val.push((await judge.evaluate(val.x, val.y)).correct / nVal);
  }
  py.stdin.end();
  const [code] = await pyExit;
  if (code !== 0) throw new Error(`torch_replay.py exited with ${code}`);
  const theirs = JSON.parse(pyOut.trim().split('\n').at(-1));

  // PyTorch with its own streams, same seed and data: what bench:recipe compares against.
  writeFileSync(join(dir, 'pixels.u8'), data.pixels);
  writeFileSync(join(dir, 'labels.u8'), data.labels);
  const own = spawnSync(PYTHON, [join(here, 'torch_recipe.py'), join(dir, 'pixels.u8'), join(dir, 'labels.u8'), String(EPOCHS), String(SEED), '1'], { encoding: 'utf8' });
  if (own.status !== 0) throw new Error(`torch_recipe.py failed: ${own.stderr}`);
  const ownVal = JSON.parse(own.stdout.trim().split('\n').at(-1)).valAcc.recomputed;

  const pct = (v) => (100 * v).toFixed(2).padStart(6);
  console.log(`cnn-strong replay: ${ROWS} ${KIND} images (${train.length} train, ${nVal} validation), seed ${SEED}, ${EPOCHS} epochs, ${stepsPerEpoch} steps an epoch; ours on ${engine.backend}, the replay with ${ADAM === 'keras' ? "Keras's Adam (as ours)" : "torch.optim.Adam's ε"}, PyTorch ${theirs.torch} (${theirs.threads} thread${theirs.threads === 1 ? "" : "s"})`);
  console.log('\n       mean training loss            validation accuracy, recomputed statistics (%)');
  console.log('epoch  ours    replay  replay f64    ours    replay  replay f64  PyTorch, own streams');
  for (let e = 0; e < EPOCHS; e++) {
    console.log(
      `${String(e + 1).padStart(5)}  ${ours.loss[e].toFixed(4)}  ${theirs.loss.f32[e].toFixed(4)}  ${e < theirs.loss.f64.length ? theirs.loss.f64[e].toFixed(4) : '  –   '}      ` +
        `${pct(ours.val[e])}  ${pct(theirs.val.f32[e])}  ${e < theirs.val.f64.length ? pct(theirs.val.f64[e]) : '     –'}      ${pct(ownVal[e])}`,
    );
  }
  // Weights against the float64 replay (the nearest to exact arithmetic): per parameter, ‖Δside − Δf64‖ / ‖Δf64‖,
  // Δ = weights now − initial weights, for ours and for PyTorch's float32 replay. If ours parts from exact arithmetic
  // no faster than PyTorch does, the two frameworks compute the same thing and only rounding, which training
  // amplifies, separates their runs. Left out: the moving statistics (validation recomputes them) and the biases of
  // layers followed by BatchNorm, whose gradient is exactly zero in exact arithmetic (BatchNorm subtracts any shift):
  // Adam moves them by ±lr on rounding noise on every side, and they change no output.
  if (ADAM === 'keras') {
    const w0 = new Float32Array(initial.weights.slice().buffer);
    const beforeBn = new Set(plan.layers.filter((l, i) => plan.layers[i + 1]?.spec.type === 'batchNorm').flatMap((l) => l.params.filter((p) => p.name.endsWith('/bias')).map((p) => p.name)));
    const compared = plan.params.filter((p) => !p.name.includes('/moving_') && !beforeBn.has(p.name));
    const apart = (w, exact) =>
      compared.map((p) => {
        let diff = 0;
        let moved = 0;
        for (let k = p.offset; k < p.offset + p.size; k++) {
          diff += (w[k] - exact[k]) ** 2;
          moved += (exact[k] - w0[k]) ** 2;
        }
        return { name: p.name, rel: Math.sqrt(diff / (moved || 1)) };
      });
    const summary = (rel) => {
      const worst = rel.reduce((a, b) => (b.rel > a.rel ? b : a));
      const median = rel.map((r) => r.rel).sort((a, b) => a - b)[Math.floor(rel.length / 2)];
      return `${median.toExponential(2)}  ${worst.rel.toExponential(2)} (${worst.name})`.padEnd(52);
    };
    console.log(`\nhow far each float32 side is from the float64 replay, ‖Δ − Δf64‖ / ‖Δf64‖ over ${compared.length} parameters: median, largest`);
    console.log(`after step  ${'ours'.padEnd(52)}PyTorch float32 replay`);
    const f64 = (name, s) => new Float64Array(readFileSync(join(dir, `${name}-${s}.f64`)).buffer.slice(0));
    for (const s of snapshots.filter((step) => step <= stepsPerEpoch)) {
      const exact = f64('f64', s);
      console.log(`${String(s).padStart(10)}  ${summary(apart(ours.weights.get(s), exact))}${summary(apart(f64('f32', s), exact))}`);
    }
  }
} finally {
  await engine.dispose();
  await judge.dispose();
  rmSync(dir, { recursive: true, force: true });
}
