// Prediction throughput on a Kaggle-size test set (`npm run bench:predict`), next to PyTorch 1.13's eval-mode
// inference of the same model on the same images, 2 threads each. seed-lenet5 and cnn-strong; sparse images (real
// digits, shifted ±2 pixels) and dense ones (the digits over textured, noisy backgrounds: no pixel is zero); test-time
// augmentation off and on (the image and four 1-pixel shifts, probabilities averaged, in both).
//
// Ours runs the trainer's own prediction path (src/trainer/inference.ts: the engine built and loaded from a
// checkpoint, pixels scaled and shifted, probabilities averaged) in this process, so the timing leaves out only
// the trainer process' IPC. Engine start-up (its worker thread) is inside our timing; PyTorch's is outside its own.
// Speed does not depend on the weights' values, so both use freshly initialised weights.
// Rounds are interleaved (PyTorch, ours, PyTorch, ours…) so that load from other processes hits both alike; the
// figures are the median and the slowest round. Goal: ours ≥ 1.2× PyTorch on cnn-strong, TTA included.
// Ours runs on the backend the app picks here (native where its kernels load); BENCH_BACKEND=wasm forces another.
//   node tests/bench/predict.js        env: BENCH_ROWS (28000), BENCH_ROUNDS (3), BENCH_MODELS (seed-lenet5,cnn-strong),
//                                           BENCH_TORCH_BATCH (256: its fastest here of 64/256/1024)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denseDigits, loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { shiftedDigits } from '../../build/node/core/datasets/kaggle-csv.js';
import { presets } from '../../build/node/core/training/presets.js';
import { availableBackends, createEngine } from '../../build/node/trainer/engine/index.js';
import { predict, predictWith } from '../../build/node/trainer/inference.js';
import { modelFlops } from './flops.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 28_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODELS = (process.env.BENCH_MODELS ?? 'seed-lenet5,cnn-strong').split(',');
const TORCH_BATCH = Number(process.env.BENCH_TORCH_BATCH ?? 256);
const BACKEND = process.env.BENCH_BACKEND || null;
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dw-bench-predict-'));

/** A checkpoint as the trainer receives it, from a fresh engine's state. */
async function checkpointFor(layers) {
  const engine = await createEngine({ layers, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, workers: 1, backend: BACKEND ?? undefined });
  const state = await engine.saveState();
  await engine.dispose();
  return { epoch: 0, weights: state.weights, optimizer: state.optimizer, state: { step: state.step, learningRate: state.learningRate } };
}

function torch(file, model, tta) {
  const out = spawnSync('/usr/bin/python3', [join(here, 'torch_predict.py'), file, String(ROWS), model, tta ? '1' : '0', '2', String(TORCH_BATCH)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`PyTorch: ${(out.stderr || out.error?.message || '').trim().split('\n').at(-1)}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)).seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const src = loadMnistDigits();
  const data = { sparse: shiftedDigits(src, ROWS, 2801).pixels, dense: denseDigits(src, ROWS, 2802).pixels };
  const files = {};
  for (const [kind, pixels] of Object.entries(data)) {
    files[kind] = join(dir, `${kind}.u8`);
    writeFileSync(files[kind], pixels);
  }
  const backends = await availableBackends();
  const used = BACKEND ? backends.find((b) => b.name === BACKEND) : backends.find((b) => b.available);
  const ours = `ours (${used.name}${used.kernels ? ` ${used.kernels.isa}` : ''})`;
  console.log(`${ROWS} rows per set; ${ROUNDS} interleaved rounds; PyTorch batch ${TORCH_BATCH}, 2 threads; ours on ${used.name}` +
    `${used.kernels ? ` (${used.kernels.library} ${used.kernels.version}, ${used.kernels.isa})` : ''}; load average ${loadavg()[0].toFixed(1)}`);

  const cases = [];
  for (const model of MODELS) {
    const layers = presets[model].hyperparams.model;
    const checkpoint = await checkpointFor(layers);
    const request = (pixels, tta) => ({ type: 'predict', requestId: 1, model: layers, checkpoint, pixels, tta, backend: BACKEND });
    // Warm-up: the backend's wasm module compiled once in this process.
    await predict(request(data.sparse.subarray(0, 784 * 16), false));
    const single = await createEngine({ layers, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, workers: 1, backend: used.name });
    await single.loadState({ ...checkpoint, step: 0, learningRate: 1e-3 });
    for (const kind of ['sparse', 'dense']) {
      for (const tta of [false, true]) {
        const runs = {
          'PyTorch (2 threads)': () => torch(files[kind], model, tta),
          [ours]: async () => {
            const t0 = performance.now();
            await predict(request(data[kind], tta));
            return (performance.now() - t0) / 1000;
          },
        };
        // The 1-worker figure shows what the second worker adds (TTA only multiplies the work by 5); the native
        // kernels thread themselves in one replica already.
        if (!tta && used.name !== 'native') {
          runs['ours (1 worker)'] = async () => {
            const t0 = performance.now();
            await predictWith(single, data[kind], { tta });
            return (performance.now() - t0) / 1000;
          };
        }
        cases.push({ model, kind, tta, runs, times: Object.fromEntries(Object.keys(runs).map((k) => [k, []])), single });
      }
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      for (const [what, run] of Object.entries(c.runs)) {
        c.times[what].push(await run());
        // Progress on stderr: a round of cnn-strong with TTA takes minutes on a busy machine.
        process.stderr.write(`round ${round + 1}: ${c.model} ${c.kind} TTA ${c.tta ? 'on' : 'off'} ${what} ${c.times[what].at(-1).toFixed(2)} s\n`);
      }
    }
  }
  for (const c of cases) await c.single.dispose().catch(() => {});

  for (const c of cases) {
    const views = c.tta ? 5 : 1;
    const flops = modelFlops(presets[c.model].hyperparams.model);
    console.log(`\n${c.model} · ${c.kind} · TTA ${c.tta ? 'on (5 views)' : 'off'}   (${(flops / 1e6).toFixed(1)} MFLOP per view)`);
    for (const [what, list] of Object.entries(c.times)) {
      const [med, slow] = [median(list), Math.max(...list)];
      const rate = (ROWS * views) / med;
      console.log(
        `  ${what.padEnd(20)} median ${med.toFixed(2).padStart(7)} s  slowest ${slow.toFixed(2).padStart(7)} s  ` +
        `${Math.round(ROWS / med).toLocaleString('en').padStart(7)} rows/s  ${(rate * flops / 1e9).toFixed(1).padStart(5)} GFLOP/s` +
        `  ≈ ${((28_000 * med) / ROWS).toFixed(1)} s per 28,000 rows`,
      );
    }
    const [t, o] = [median(c.times['PyTorch (2 threads)']), median(c.times[ours])];
    const [ts, os] = [Math.max(...c.times['PyTorch (2 threads)']), Math.max(...c.times[ours])];
    console.log(`  ours vs PyTorch: ${(t / o).toFixed(2)}× (median), ${(ts / os).toFixed(2)}× (slowest rounds)${c.model === 'cnn-strong' ? '  goal ≥ 1.2×' : ''}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
