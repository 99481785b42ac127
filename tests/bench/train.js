// Training throughput of LeNet-5 (batch 32, Adam 1e-3) per backend and worker count, next to PyTorch on the same
// images, plus prediction throughput on 28,000 images. Run after `npm run build:node`:
//   node tests/bench/train.js [--batches N]   (default: one epoch of the 42,000-image Kaggle-shaped set)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnistDigits, mulberry32 } from '../../build/node/core/datasets/mnist-digits.js';
import { availableBackends, createEngine } from '../../build/node/trainer/engine/index.js';
import { presets } from '../../build/node/core/training/presets.js';

// The seed notebook's LeNet-5, exactly as the preset defines it.
const LENET = presets['seed-lenet5'].hyperparams.model;
const TRAIN = 42_000;
const TEST = 28_000;
const BATCH = 32;
const WARMUP = 20;
const CPU_BATCHES = 5; // the cpu backend is ~100× slower: a few batches give its rate

const arg = process.argv.indexOf('--batches');
const batches = arg > 0 ? Number(process.argv[arg + 1]) : Math.floor(TRAIN / BATCH);

/** Kaggle-shaped bytes: real digits, each shifted by up to ±2 pixels (seeded), cycled to `count`. */
function kaggleShaped(count, seed) {
  const d = loadMnistDigits();
  const rng = mulberry32(seed);
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(rng() * d.count);
    const dy = Math.floor(rng() * 5) - 2;
    const dx = Math.floor(rng() * 5) - 2;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const sr = r - dy;
        const sc = c - dx;
        if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28) pixels[i * 784 + r * 28 + c] = d.pixels[j * 784 + sr * 28 + sc];
      }
    }
    labels[i] = d.labels[j];
  }
  return { pixels, labels };
}

function toFloat(bytes) {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

async function benchEngine(backend, workers, train, test, count) {
  const engine = await createEngine({ layers: LENET, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, backend, workers });
  const rng = mulberry32(2);
  const order = Array.from({ length: TRAIN }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const x = new Float32Array(BATCH * 784);
  const y = new Uint8Array(BATCH);
  const step = async (k) => {
    for (let i = 0; i < BATCH; i++) {
      const src = order[(k * BATCH + i) % TRAIN];
      x.set(train.x.subarray(src * 784, (src + 1) * 784), i * 784);
      y[i] = train.y[src];
    }
    return engine.trainBatch(x, y);
  };
  for (let k = 0; k < Math.min(WARMUP, count); k++) await step(k);
  const start = performance.now();
  let last;
  for (let k = 0; k < count; k++) last = await step(k);
  const seconds = (performance.now() - start) / 1000;
  const predictCount = backend === 'cpu' ? 500 : TEST;
  const pStart = performance.now();
  await engine.predict(test.subarray(0, predictCount * 784));
  const pSeconds = (performance.now() - pStart) / 1000;
  const result = {
    label: `${backend}, ${engine.workers} worker${engine.workers > 1 ? 's' : ''}`,
    params: engine.summary().totalParams,
    imagesPerSecond: (count * BATCH) / seconds,
    predictPerSecond: predictCount / pSeconds,
    lastLoss: last.loss,
  };
  await engine.dispose();
  return result;
}

function benchTorch(dir, count) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_lenet.py');
  const run = spawnSync('/usr/bin/python3', [script, join(dir, 'pixels.u8'), join(dir, 'labels.u8'), String(BATCH), String(count), String(TEST), '2'], { encoding: 'utf8' });
  if (run.status !== 0) return { error: (run.stderr || run.error?.message || 'python3 failed').trim().split('\n').pop() };
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const trainBytes = kaggleShaped(TRAIN, 42);
const testBytes = kaggleShaped(TEST, 43);
const train = { x: toFloat(trainBytes.pixels), y: trainBytes.labels };
const test = toFloat(testBytes.pixels);
const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
try {
  writeFileSync(join(dir, 'pixels.u8'), trainBytes.pixels);
  writeFileSync(join(dir, 'labels.u8'), trainBytes.labels);
  console.log(`LeNet-5, batch ${BATCH}, Adam 1e-3, ${batches} batches (cpu: ${CPU_BATCHES}) after ${WARMUP} warm-up batches\n`);
  const torch = benchTorch(dir, batches);
  if (torch.error) console.log(`PyTorch: unavailable (${torch.error}); apt-get install -y python3-torch`);
  else {
    const [low, median, high] = torch.blockImagesPerSecond.map((v) => v.toFixed(0));
    console.log(`PyTorch ${torch.torch} (${torch.threads} threads): ${torch.params.toLocaleString('en')} params; ` +
      `per-100-batch rates min ${low}, median ${median}, max ${high} img/s`);
  }

  const rows = [];
  for (const { name, available, reason } of await availableBackends()) {
    if (!available) {
      console.log(`${name}: unavailable (${reason})`);
      continue;
    }
    for (const workers of name === 'cpu' ? [1] : name === 'tensorflow' ? [1] : [1, 2]) {
      rows.push(await benchEngine(name, workers, train, test, name === 'cpu' ? CPU_BATCHES : batches));
    }
  }
  console.log('');
  const pad = (s, n) => String(s).padEnd(n);
  console.log(pad('engine', 26), pad('params', 9), pad('train img/s', 13), pad('× PyTorch', 11), pad('predict img/s', 14), 'last loss');
  for (const r of rows) {
    const ratio = torch.error ? '–' : (r.imagesPerSecond / torch.imagesPerSecond).toFixed(2);
    console.log(pad(r.label, 26), pad(r.params, 9), pad(r.imagesPerSecond.toFixed(0), 13), pad(ratio, 11), pad(r.predictPerSecond.toFixed(0), 14), r.lastLoss.toFixed(4));
  }
  if (!torch.error) {
    console.log(pad('PyTorch (2 threads)', 26), pad(torch.params, 9), pad(torch.imagesPerSecond.toFixed(0), 13), pad('1.00', 11), pad(torch.predictPerSecond.toFixed(0), 14), torch.lastLoss.toFixed(4));
    console.log(`PyTorch through a shuffling DataLoader (the usual script): ${torch.dataLoaderImagesPerSecond.toFixed(0)} img/s; ` +
      `best engine / that: ${(Math.max(...rows.map((r) => r.imagesPerSecond)) / torch.dataLoaderImagesPerSecond).toFixed(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
