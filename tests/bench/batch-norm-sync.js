// Cost of whole-batch BatchNorm under data parallelism: cnn-strong (7 BatchNorm layers, so 14 meetings of the
// replicas per step), batch 64, wasm, ms per step with 1 and 2 workers, rounds interleaved (a shared machine has
// fast and slow stretches). For the before/after figure run it also on a checkout from before the change
// (commit 060e100, per-half BatchNorm) on a quiet machine. After `npm run build:node`:
//   node tests/bench/batch-norm-sync.js [--steps N] [--rounds R]

import { loadMnistDigits, mulberry32 } from '../../build/node/core/datasets/mnist-digits.js';
import { presets } from '../../build/node/core/training/presets.js';
import { createEngine } from '../../build/node/trainer/engine/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('--steps', 30);
const ROUNDS = arg('--rounds', 3);
const BATCH = 64;
const WARMUP = 3;

const digits = loadMnistDigits();
const rng = mulberry32(1);
const x = new Float32Array(BATCH * 784);
const y = new Uint8Array(BATCH);
for (let i = 0; i < BATCH; i++) {
  const j = Math.floor(rng() * digits.count);
  for (let p = 0; p < 784; p++) x[i * 784 + p] = digits.pixels[j * 784 + p] / 255;
  y[i] = digits.labels[j];
}

const layers = presets['cnn-strong'].hyperparams.model;
const engines = {};
for (const workers of [1, 2]) {
  engines[workers] = await createEngine({ layers, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, backend: 'wasm', workers });
  for (let s = 0; s < WARMUP; s++) await engines[workers].trainBatch(x, y);
}
const times = { 1: [], 2: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const workers of [1, 2]) {
    const start = performance.now();
    for (let s = 0; s < STEPS; s++) await engines[workers].trainBatch(x, y);
    times[workers].push((performance.now() - start) / STEPS);
  }
}
for (const workers of [1, 2]) {
  const ms = times[workers].map((t) => t.toFixed(1)).join(', ');
  console.log(`cnn-strong, batch ${BATCH}, wasm, ${workers} worker(s): ${ms} ms/step over ${ROUNDS} rounds of ${STEPS} steps`);
  await engines[workers].dispose();
}
