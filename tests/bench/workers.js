// The worker pool's figures (not part of npm test; run on a quiet machine after `npm run build:node`):
//   1. one local `digit-workbench worker` vs the local trainer on the same seed-lenet5 run → images/s each;
//   2. the lag from an epoch's checkpoint reaching Redis to its SQLite commit on the owner (p50/p99);
//   3. load: one owner + one Redis against N simulated workers (the real worker code with a stand-in trainer
//      that sends cnn-strong-sized checkpoints) → events committed per second, and a check that nothing is lost;
//      with 1 and 3, the bytes Redis received per epoch (INFO stats total_net_input_bytes: every client's writes).
//
//   node tests/bench/workers.js [--rows 8000] [--epochs 3] [--sim-workers 50] [--sim-epochs 5] [--epoch-ms 2000]
//   (tiny: --rows 600 --epochs 1 --sim-workers 3 --sim-epochs 2 --epoch-ms 200)

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Workbench } from '../../build/node/core/workbench.js';
import { writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';
import { loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { presets } from '../../build/node/core/training/presets.js';
import { summarize } from '../../build/node/shared/model-summary.js';
import { startWorker } from '../../build/node/core/pool/pool-worker.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const bin = join(root, 'bin', 'digit-workbench.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 8000);
const EPOCHS = arg('epochs', 3);
const SIM_WORKERS = arg('sim-workers', 50);
const SIM_EPOCHS = arg('sim-epochs', 5);
const EPOCH_MS = arg('epoch-ms', 2000);
const PROGRESS_PER_EPOCH = 8; // the real trainer sends one every 250 ms

/** Bytes Redis has read from all its clients since it started (commands and their arguments). */
async function redisInputBytes(url) {
  const c = new Redis(url);
  try {
    return Number(/total_net_input_bytes:(\d+)/.exec(await c.info('stats'))[1]);
  } finally {
    c.disconnect();
  }
}
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(dir) {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--requirepass', 'bench'], { stdio: 'ignore' });
  const url = `redis://:bench@127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const c = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      c.disconnect();
      return { url, proc };
    } catch {
      c.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start');
}

/** A stand-in trainer: the protocol's events on the real trainer's schedule, checkpoints of cnn-strong size. */
function simulatedTrainer() {
  const params = summarize(presets['cnn-strong'].hyperparams.model).totalParams;
  const listeners = [];
  const exits = [];
  let timer = null;
  const send = (e) => listeners.forEach((l) => l(e));
  return {
    pid: undefined,
    onEvent: (l) => listeners.push(l),
    onExit: (l) => exits.push(l),
    kill: () => clearTimeout(timer),
    send(req) {
      if (req.type !== 'train') return;
      const { runId, hyperparams: hp } = req;
      let epoch = req.resume?.last.epoch ?? 0;
      let tick = 0;
      send({ type: 'started', runId, backend: 'sim', backendNote: null, workers: 1, summary: summarize(hp.model), resumedFrom: epoch });
      const step = () => {
        tick++;
        if (tick < PROGRESS_PER_EPOCH) {
          send({ type: 'progress', progress: { runId, epoch: epoch + 1, epochs: hp.epochs, batch: tick, batches: PROGRESS_PER_EPOCH, loss: 1, acc: 0.5, imagesPerSecond: 100, etaSeconds: 1, lr: 0.001 } });
        } else {
          tick = 0;
          epoch++;
          const metrics = { epoch, loss: 1 / epoch, acc: 0.9, valLoss: 1 / epoch, valAcc: 0.9 + epoch / 1000, lr: 0.001, seconds: EPOCH_MS / 1000, imagesPerSecond: 100 };
          const state = { epoch, learningRate: 0.001, step: epoch * 100, plateau: null, early: null, best: { epoch, valAcc: metrics.valAcc, valLoss: metrics.valLoss }, stopReason: null };
          const checkpoint = { epoch, weights: new Uint8Array(params * 4).fill(epoch), optimizer: new Uint8Array(params * 8 + 8).fill(epoch), state };
          send({ type: 'epoch', runId, metrics });
          send({ type: 'checkpoint', runId, metrics, slots: ['last', 'best'], checkpoint });
          if (epoch >= hp.epochs) {
            send({ type: 'result', runId, epoch, indices: req.valIndices, probs: new Float32Array(req.valIndices.length * 10).fill(0.1) });
            send({ type: 'done', runId, outcome: 'completed', reason: 'simulated' });
            return;
          }
        }
        timer = setTimeout(step, EPOCH_MS / PROGRESS_PER_EPOCH);
      };
      timer = setTimeout(step, EPOCH_MS / PROGRESS_PER_EPOCH);
    },
  };
}

/** Child mode: N simulated workers in one process (the owner's process stays free for committing). */
async function simulate(url, count) {
  const workers = [];
  for (let i = 0; i < count; i++) workers.push(await startWorker({ url, name: `sim-${i}`, backend: 'cpu', spawn: simulatedTrainer, stallSeconds: 60 }));
  console.log('ready');
  process.on('SIGTERM', async () => {
    await Promise.all(workers.map((w) => w.close()));
    process.exit(0);
  });
}

function startWorkerProcess(args, ready) {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes(ready)) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-workers-'));
  const { url, proc: redis } = await startRedis(dir);
  const wb = new Workbench({ home: join(dir, 'home'), sample: false, poolUrl: url });
  const children = [];
  try {
    const digits = loadMnistDigits();
    const n = Math.min(ROWS, digits.count);
    const csv = join(dir, 'train.csv');
    // Rows in a fixed shuffled order, as in Kaggle's train.csv (the package keeps its digits class by class).
    const order = Array.from({ length: digits.count }, (_, i) => i);
    for (let i = order.length - 1, s = 7; i > 0; i--) {
      s = (s * 1103515245 + 12345) >>> 0;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const pixels = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      pixels.set(digits.pixels.subarray(order[k] * 784, order[k] * 784 + 784), k * 784);
      labels[k] = digits.labels[order[k]];
    }
    await writeKaggleCsv(csv, { pixels, labels });
    const datasetId = (await wb.importDataset({ path: csv })).dataset.id;
    const run = async (target, epochs = EPOCHS) => {
      const t0 = performance.now();
      const [r] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs }, target });
      const status = await wb.runs.waitFor(r.id);
      const d = await wb.call('runs:get', { id: r.id });
      if (status !== 'completed') throw new Error(`${target} run ${r.id} ${status}: ${d.error}`);
      return { wall: (performance.now() - t0) / 1000, ips: d.epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / d.epochs.length, backend: d.backend, acc: d.bestValAcc };
    };

    console.log(`1. seed-lenet5, ${n} images, ${EPOCHS} epochs`);
    const local = await run('local');
    console.log(`   local trainer : ${local.ips.toFixed(0)} images/s (${local.backend}), ${local.wall.toFixed(1)} s wall, best val acc ${local.acc}`);
    children.push(await startWorkerProcess([bin, 'worker', '--queue', url, '--name', 'bench-local'], 'worker bench-local on'));
    await run('pool', 1); // publishes the dataset and warms the worker, so the next run's bytes are its epochs'
    const in0 = await redisInputBytes(url);
    const pooled = await run('pool');
    const lenetBytes = (await redisInputBytes(url)) - in0;
    console.log(`   one worker    : ${pooled.ips.toFixed(0)} images/s (${pooled.backend}), ${pooled.wall.toFixed(1)} s wall, best val acc ${pooled.acc}`);
    console.log(`   into Redis    : ${mb(lenetBytes / EPOCHS)} per epoch (${mb(lenetBytes)} for the run: events, checkpoints, acks, heartbeats, BullMQ)`);
    const owner = await wb.pool.owner();
    const lags = owner.stats.checkpointLagMs.slice();
    console.log(`2. checkpoint in Redis → SQLite commit: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms (${lags.length} epochs)`);
    const single = children.pop();
    single.kill('SIGTERM');
    await new Promise((r) => single.once('exit', r));

    const params = summarize(presets['cnn-strong'].hyperparams.model).totalParams;
    console.log(`3. load: ${SIM_WORKERS} simulated workers × ${SIM_EPOCHS} epochs of ${EPOCH_MS} ms, checkpoints ${((params * 12) / 1e6).toFixed(1)} MB (cnn-strong, Adam)`);
    children.push(await startWorkerProcess([fileURLToPath(import.meta.url), '--simulate', url, String(SIM_WORKERS)], 'ready'));
    owner.stats.checkpointLagMs.length = 0;
    const events0 = owner.stats.events;
    const loadIn0 = await redisInputBytes(url);
    const t0 = performance.now();
    const runs = await wb.call('runs:start', { datasetId, preset: 'cnn-strong', hyperparams: { epochs: SIM_EPOCHS }, seeds: Array.from({ length: SIM_WORKERS }, (_, i) => i + 1), target: 'pool' });
    const statuses = await Promise.all(runs.map((r) => wb.runs.waitFor(r.id)));
    const seconds = (performance.now() - t0) / 1000;
    const loadBytes = (await redisInputBytes(url)) - loadIn0;
    const events = owner.stats.events - events0;
    const expected = SIM_WORKERS * (1 + SIM_EPOCHS * (PROGRESS_PER_EPOCH + 1) + 2);
    const epochRows = wb.db.prepare(`SELECT COUNT(*) FROM epochs WHERE run_id IN (${runs.map((r) => r.id).join(',')})`).pluck().get();
    const ckpts = wb.db.prepare(`SELECT COUNT(*) FROM checkpoints WHERE run_id IN (${runs.map((r) => r.id).join(',')}) AND slot = 'last' AND epoch = ?`).pluck().get(SIM_EPOCHS);
    const lost = statuses.filter((s) => s !== 'completed').length + (SIM_WORKERS * SIM_EPOCHS - epochRows) + (SIM_WORKERS - ckpts) + (expected - events);
    console.log(`   ${events} events committed in ${seconds.toFixed(1)} s = ${(events / seconds).toFixed(0)} events/s, ${((SIM_WORKERS * SIM_EPOCHS) / seconds).toFixed(1)} epochs/s`);
    console.log(`   into Redis ${mb(loadBytes / (SIM_WORKERS * SIM_EPOCHS))} per epoch (${mb(loadBytes)} in all)`);
    console.log(`   checkpoint lag p50 ${percentile(owner.stats.checkpointLagMs, 50)} ms, p99 ${percentile(owner.stats.checkpointLagMs, 99)} ms`);
    console.log(`   runs completed ${statuses.filter((s) => s === 'completed').length}/${SIM_WORKERS}, epochs ${epochRows}/${SIM_WORKERS * SIM_EPOCHS}, events ${events}/${expected}: ${lost === 0 ? 'nothing lost' : `${lost} MISSING`}`);
    if (lost !== 0) process.exitCode = 1;
  } finally {
    // Workers first, while Redis is up to hear them leave; then the owner, then Redis.
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : (c.once('exit', r), c.kill('SIGTERM'))))));
    wb.close();
    redis.kill('SIGTERM');
    await new Promise((r) => redis.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--simulate') await simulate(process.argv[3], Number(process.argv[4]));
else await main();
