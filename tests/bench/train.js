// Training throughput next to PyTorch 1.13 (2 threads) on the same images. Run after `npm run build:node`:
//   node tests/bench/train.js [--batches N] [--only lenet|cnn-strong] [--strong-batches N] [--rounds R] [--isa avx2]
// --isa avx2 caps both sides at AVX2 (oneDNN in the native kernels: ONEDNN_MAX_CPU_ISA=AVX2, PyTorch:
// ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2), the instruction set most desktops have.
// 1. LeNet-5 (batch 32, Adam 1e-3) per backend and worker count, plus prediction throughput on 28,000 images
//    (default: one epoch of the 42,000-image Kaggle-shaped set).
// 2. cnn-strong as its preset trains (batch 64, augmentation on) on sparse real digits and on dense images (digits
//    composited over textured, noisy backgrounds: most pixels non-zero), rounds interleaved PyTorch, then each of
//    ours (native: one replica on 2 threads and two replicas on 1 thread each; wasm: 2 workers), …; median and
//    slowest round of each.

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnistDigits, mulberry32 } from '../../build/node/core/datasets/mnist-digits.js';
import { availableBackends, createEngine } from '../../build/node/trainer/engine/index.js';
import { presets } from '../../build/node/core/training/presets.js';
import { batchRandom, fillBatch } from '../../build/node/trainer/batches.js';

// The seed notebook's LeNet-5, exactly as the preset defines it.
const LENET = presets['seed-lenet5'].hyperparams.model;
const TRAIN = 42_000;
const TEST = 28_000;
const BATCH = 32;
const WARMUP = 20;
const CPU_BATCHES = 5; // the cpu backend is ~100× slower: a few batches give its rate

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const batches = Number(option('batches', Math.floor(TRAIN / BATCH)));
const only = option('only', null);
const STRONG = presets['cnn-strong'].hyperparams;
const STRONG_BATCHES = Number(option('strong-batches', 40));
const STRONG_WARMUP = 4;
const ROUNDS = Number(option('rounds', 3));
const AVX2 = option('isa', null) === 'avx2';
if (AVX2 && process.env.ONEDNN_MAX_CPU_ISA !== 'AVX2') {
  // oneDNN reads its cap when it loads: run this script again with it set.
  const again = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, ONEDNN_MAX_CPU_ISA: 'AVX2' } });
  process.exit(again.status ?? 1);
}
/** PyTorch capped like oneDNN when --isa avx2. */
const TORCH_ENV = { ...process.env, ...(AVX2 ? { ATEN_CPU_CAPABILITY: 'avx2', DNNL_MAX_CPU_ISA: 'AVX2' } : {}) };

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

/**
 * Dense images: each real digit (shifted as above) blended over its own textured background (two random
 * sinusoidal gratings plus uniform noise, 25–215), so nearly every pixel is non-zero.
 */
function denseImages(count, seed) {
  const { pixels, labels } = kaggleShaped(count, seed);
  const rng = mulberry32(seed + 1000);
  for (let i = 0; i < count; i++) {
    const [f1, f2, g1, g2] = [rng() * 0.8, rng() * 0.8, rng() * 0.8, rng() * 0.8];
    const [p1, p2] = [rng() * 6.3, rng() * 6.3];
    const base = 60 + rng() * 60;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const bg = base + 35 * Math.sin(f1 * c + g1 * r + p1) + 25 * Math.sin(f2 * c - g2 * r + p2) + (rng() - 0.5) * 50;
        const a = pixels[i * 784 + r * 28 + c] / 255;
        pixels[i * 784 + r * 28 + c] = Math.round(Math.min(215, Math.max(25, bg)) * (1 - a) + 255 * a);
      }
    }
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
  const run = spawnSync('/usr/bin/python3', [script, join(dir, 'pixels.u8'), join(dir, 'labels.u8'), String(BATCH), String(count), String(TEST), '2'], { encoding: 'utf8', env: TORCH_ENV });
  if (run.status !== 0) return { error: (run.stderr || run.error?.message || 'python3 failed').trim().split('\n').pop() };
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

async function lenetSection(dir) {
  const trainBytes = kaggleShaped(TRAIN, 42);
  const testBytes = kaggleShaped(TEST, 43);
  const train = { x: toFloat(trainBytes.pixels), y: trainBytes.labels };
  const test = toFloat(testBytes.pixels);
  writeFileSync(join(dir, 'pixels.u8'), trainBytes.pixels);
  writeFileSync(join(dir, 'labels.u8'), trainBytes.labels);
  console.log(`LeNet-5, batch ${BATCH}, Adam 1e-3, ${batches} batches (cpu: ${CPU_BATCHES}) after ${WARMUP} warm-up batches\n`);
  const torch = benchTorch(dir, batches);
  if (torch.error) console.log(`PyTorch: unavailable (${torch.error}); apt-get install -y python3-torch`);
  else {
    const [low, mid, high] = torch.blockImagesPerSecond.map((v) => v.toFixed(0));
    console.log(`PyTorch ${torch.torch} (${torch.threads} threads): ${torch.params.toLocaleString('en')} params; ` +
      `per-100-batch rates min ${low}, median ${mid}, max ${high} img/s`);
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
}

const STRONG_IMAGES = 12_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Ours on cnn-strong: images/s over `count` batches assembled as the training loop does (augmentation included). */
async function strongRound(engine, data, count, round) {
  const n = data.labels.length;
  const x = new Float32Array(STRONG.batchSize * 784);
  const y = new Uint8Array(STRONG.batchSize);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(round + 7);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const step = async (k) => {
    const start = (k * STRONG.batchSize) % (n - STRONG.batchSize + 1);
    fillBatch({
      pixels: data.pixels, labels: data.labels, order, start, end: start + STRONG.batchSize, x, y,
      augmentation: STRONG.augmentation, random: batchRandom(STRONG.seed, round, k),
    });
    return engine.trainBatch(x, y);
  };
  for (let k = 0; k < STRONG_WARMUP; k++) await step(k);
  const t0 = performance.now();
  for (let k = 0; k < count; k++) await step(STRONG_WARMUP + k);
  return (count * STRONG.batchSize) / ((performance.now() - t0) / 1000);
}

function strongTorch(dir, name) {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_cnn_strong.py');
  const run = spawnSync('/usr/bin/python3', [script, join(dir, `${name}.u8`), join(dir, `${name}-labels.u8`),
    String(STRONG.batchSize), String(STRONG_BATCHES), String(STRONG_WARMUP), '2'], { encoding: 'utf8', env: TORCH_ENV });
  if (run.status !== 0) return { error: (run.stderr || run.error?.message || 'python3 failed').trim().split('\n').pop() };
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

async function strongSection(dir) {
  const kinds = [['sparse digits', 'sparse', kaggleShaped(STRONG_IMAGES, 44)], ['dense images', 'dense', denseImages(STRONG_IMAGES, 45)]];
  for (const [, name, data] of kinds) {
    writeFileSync(join(dir, `${name}.u8`), data.pixels);
    writeFileSync(join(dir, `${name}-labels.u8`), data.labels);
  }
  const nonZero = (p) => p.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / p.length;
  const here = await availableBackends();
  const nativeHere = here.find((b) => b.name === 'native');
  const cores = Math.min(2, availableParallelism());
  // Native: oneDNN's own threads in one replica (the default), and data-parallel replicas of one thread each.
  const configs = [
    ...(nativeHere?.available ? [['native', 1, `native, 1 replica × ${cores} threads`], ['native', cores, `native, ${cores} replicas × 1 thread`]] : []),
    ...(here.find((b) => b.name === 'wasm')?.available ? [['wasm', cores, `wasm, ${cores} workers`]] : []),
  ];
  console.log(`\ncnn-strong, batch ${STRONG.batchSize}, Adam 1e-3, augmentation on, ${STRONG_BATCHES} batches a round after ${STRONG_WARMUP} ` +
    `warm-up batches, ${ROUNDS} rounds interleaved (PyTorch, then each of ours); ` +
    (nativeHere?.kernels ? `native: ${nativeHere.kernels.library} ${nativeHere.kernels.version}, ${nativeHere.kernels.isa}` : `native: not loaded (${nativeHere?.reason})`) +
    (AVX2 ? '; both capped at AVX2' : ''));
  const pad = (v, n) => String(v).padEnd(n);
  console.log(pad('images', 34), pad('engine', 30), pad('median img/s', 14), pad('slowest', 9), pad('× PyTorch (median)', 20), pad('(slowest)', 10), 'rounds');
  for (const [label, name, data] of kinds) {
    const engines = [];
    for (const [backend, workers, what] of configs) {
      engines.push({ what, engine: await createEngine({ layers: STRONG.model, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, backend, workers }) });
    }
    const rates = { torch: [] };
    let torchError = null;
    for (let r = 0; r < ROUNDS; r++) {
      const t = strongTorch(dir, name);
      if (t.error) torchError = t.error;
      else rates.torch.push(t.imagesPerSecond);
      for (const { what, engine } of engines) (rates[what] ??= []).push(await strongRound(engine, data, STRONG_BATCHES, r));
    }
    for (const { engine } of engines) await engine.dispose();
    const share = `${label} (${(100 * nonZero(data.pixels)).toFixed(0)}% non-zero)`;
    const torchMedian = rates.torch.length ? median(rates.torch) : NaN;
    const torchSlowest = rates.torch.length ? Math.min(...rates.torch) : NaN;
    const row = (engine, xs) => console.log(pad(share, 34), pad(engine, 30), pad(median(xs).toFixed(0), 14), pad(Math.min(...xs).toFixed(0), 9),
      pad(Number.isNaN(torchMedian) ? '–' : (median(xs) / torchMedian).toFixed(2), 20), pad(Number.isNaN(torchSlowest) ? '–' : (Math.min(...xs) / torchSlowest).toFixed(2), 10),
      xs.map((v) => v.toFixed(0)).join(' '));
    if (torchError) console.log(pad(share, 34), `PyTorch: unavailable (${torchError}); apt-get install -y python3-torch`);
    else row(`PyTorch (${cores} threads)`, rates.torch);
    for (const { what } of engines) row(`ours, ${what}`, rates[what]);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
try {
  if (only !== 'cnn-strong') await lenetSection(dir);
  if (only !== 'lenet') await strongSection(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
