// The physical limit (`node tests/bench/peak-flops.js`): the peak FLOP/s of 128-bit wasm SIMD here, on 1 and 2
// threads, from a register-blocked f32x4 multiply + add loop (src/trainer/wasm/peak-flops.ts, compiled here with
// the project's AssemblyScript), and of the native kernels' instruction sets (AVX2 and AVX-512 fused multiply-adds
// from the addon's own register-blocked loop, native/src/peak.cc), rounds interleaved, and the FLOPs per image of
// each preset's model, so that any images/s figure can be read as a fraction of the peak: images/s × FLOPs/image ÷
// peak. Also prints what the CPU's AVX2/FMA units could do
// in theory (PyTorch's kernels use them; wasm cannot), from the clock and flags in /proc/cpuinfo.
// The machine may be shared: the best round is the peak's estimate (load only ever lowers it); the median is shown too.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { presets } from '../../build/node/core/training/presets.js';
import { modelFlops } from './flops.js';

const nativeAddon = (() => {
  try {
    return createRequire(import.meta.url)(join(fileURLToPath(new URL('../..', import.meta.url)), 'build/node/trainer/engine/native/digit_native.node'));
  } catch (err) {
    console.log(`native kernels: not built (${err.message.split('\n')[0]})`);
    return null;
  }
})();
const NATIVE_ITERS = 20_000_000;

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ITERS = 50_000_000; // 4.8 GFLOP per thread per round: a second or two
const FLOPS_PER_ITER = 12 * 8;

// Relaxed SIMD is behind a flag in Node 20's V8 (on by default from Node 22 and in Electron); process-wide.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const dir = mkdtempSync(join(tmpdir(), 'dw-peak-'));
try {
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  const compile = (features) => {
    const file = join(dir, `peak-${features.join('-')}.wasm`);
    const built = spawnSync(process.execPath, [asc, join(root, 'src/trainer/wasm/peak-flops.ts'), '-O3', '--runtime', 'stub', ...features.flatMap((f) => ['--enable', f]), '--outFile', file], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`asc failed: ${built.stderr}`);
    return readFileSync(file);
  };
  const flavours = { 'f32x4 mul+add': compile(['simd']), 'relaxed-SIMD fused multiply-add': compile(['simd', 'relaxed-simd']) };
  if (!WebAssembly.validate(flavours['relaxed-SIMD fused multiply-add'])) delete flavours['relaxed-SIMD fused multiply-add'];

  // Each thread compiles the module, waits at a shared start line, then times its own loop.
  const workerSource = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { instance } = { instance: new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), {}) };
    instance.exports.spin(1000000); // tier-up before timing
    const flag = new Int32Array(workerData.flag);
    parentPort.postMessage('ready');
    Atomics.wait(flag, 0, 0);
    const t0 = performance.now();
    const sum = instance.exports.spin(workerData.iters);
    parentPort.postMessage({ seconds: (performance.now() - t0) / 1000, sum });
  `;
  async function round(bytes, threads) {
    const flag = new SharedArrayBuffer(4);
    const workers = Array.from({ length: threads }, () => new Worker(workerSource, { eval: true, workerData: { bytes, iters: ITERS, flag } }));
    const results = workers.map((w) => new Promise((resolve, reject) => {
      w.on('error', reject);
      w.on('message', (m) => (m === 'ready' ? undefined : resolve(m)));
    }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    const cpu0 = process.cpuUsage();
    Atomics.store(new Int32Array(flag), 0, 1);
    Atomics.notify(new Int32Array(flag), 0);
    const done = await Promise.all(results);
    const cpu = process.cpuUsage(cpu0);
    await Promise.all(workers.map((w) => w.terminate()));
    const flops = threads * ITERS * FLOPS_PER_ITER;
    // Wall: the slowest thread's time (the threads' combined rate now). CPU: FLOPs per second a thread spent on a
    // core, × threads — the rate with the cores to itself, which on a loaded machine the wall clock cannot show.
    return { wall: flops / Math.max(...done.map((d) => d.seconds)), cpu: (flops / ((cpu.user + cpu.system) / 1e6)) * threads };
  }

  console.log(`cores: ${availableParallelism()}; load average ${loadavg()[0].toFixed(1)}; ${ROUNDS} interleaved rounds of 1 and 2 threads, each build`);
  const rates = {};
  const cpuRates = {};
  const native = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, bytes] of Object.entries(flavours)) {
      for (const t of [1, 2]) {
        const { wall, cpu } = await round(bytes, t);
        (rates[`${name} ${t}`] ??= []).push(wall);
        (cpuRates[`${name} ${t}`] ??= []).push(cpu);
      }
    }
    for (const width of nativeAddon ? [256, 512] : []) {
      for (const t of [1, 2]) (native[`${width} ${t}`] ??= []).push(nativeAddon.peakGflops(width, t, NATIVE_ITERS) * 1e9);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const g = (x) => (x / 1e9).toFixed(1);
  for (const name of Object.keys(flavours)) {
    for (const t of [1, 2]) {
      const [w, c] = [rates[`${name} ${t}`], cpuRates[`${name} ${t}`]];
      console.log(`wasm ${name}, ${t} thread${t > 1 ? 's' : ' '}: wall clock best ${g(Math.max(...w))} GFLOP/s, median ${g(median(w))}; ` +
        `per CPU-second × threads best ${g(Math.max(...c))} GFLOP/s, median ${g(median(c))}`);
    }
  }
  if (!flavours['relaxed-SIMD fused multiply-add']) console.log('relaxed SIMD: not accepted by this runtime');
  for (const [width, isa] of [[256, 'AVX2'], [512, 'AVX-512']]) {
    for (const t of [1, 2]) {
      const w = native[`${width} ${t}`];
      if (!w) continue;
      console.log(w[0] === 0 ? `native ${isa}: not on this CPU` : `native ${isa} FMA, ${t} thread${t > 1 ? 's' : ' '}: wall clock best ${g(Math.max(...w))} GFLOP/s, median ${g(median(w))}`);
    }
  }

  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? NaN);
  const flags = new Set((/flags\s*:\s*(.*)/.exec(info)?.[1] ?? '').split(' '));
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? 'unknown';
  const cores = Math.min(2, availableParallelism());
  console.log(`\nCPU: ${model}, ${mhz} MHz as reported (boost may be higher), flags: ${['sse4_1', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f)).join(' ')}`);
  // Two 128-bit multiplies and two adds per cycle (separate units on Zen and recent Intel cores): 16 FLOP/cycle.
  console.log(`in theory, ${cores} cores × ${mhz} MHz: 128-bit mul+add (wasm SIMD) ${(cores * mhz * 1e6 * 16 / 1e9).toFixed(0)} GFLOP/s; ` +
    (flags.has('fma') && flags.has('avx2')
      ? `256-bit FMA ×2 per cycle (AVX2/FMA, what PyTorch's oneDNN uses) ${(cores * mhz * 1e6 * 32 / 1e9).toFixed(0)} GFLOP/s`
      : 'no AVX2/FMA here'));

  console.log('\nFLOPs per image (2 × multiply-adds of the conv and dense layers):');
  // The peak with both cores free: per CPU-second of the 2-thread loop (the wall clock on an idle machine).
  const best2 = Math.max(...cpuRates['f32x4 mul+add 2'], ...rates['f32x4 mul+add 2']);
  console.log(`  (against the 2-thread peak ${g(best2)} GFLOP/s)`);
  const peaks = [['wasm', best2], ...[[256, 'AVX2'], [512, 'AVX-512']].filter(([w]) => native[`${w} 2`]?.[0] > 0).map(([w, isa]) => [`native ${isa}`, Math.max(...native[`${w} 2`])])];
  for (const [name, p] of Object.entries(presets)) {
    const f = modelFlops(p.hyperparams.model);
    console.log(`  ${name.padEnd(12)} ${(f / 1e6).toFixed(2).padStart(6)} MFLOP inference, ≈ ${(3 * f / 1e6).toFixed(1)} MFLOP per training image; at the 2-thread peak of ` +
      peaks.map(([what, peak]) => `${what} (${g(peak)} GFLOP/s): ${Math.round(peak / f).toLocaleString('en')} predictions/s, ${Math.round(peak / (3 * f)).toLocaleString('en')} training images/s`).join('; '));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
