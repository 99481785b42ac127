// The worker pool when things go wrong: bad URLs and passwords, a worker of another version, a dataset whose
// content does not match, the owner SIGKILLed mid-run (its epochs wait in Redis and land once), Redis restarted.
// "Mid-run" is made true by the epoch gate: the run is held after epoch 1 until the fault happened.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { getDataset } from '../../src/core/datasets/repo.js';
import { publishDataset } from '../../src/core/pool/dataset-transfer.js';
import { keys } from '../../src/core/pool/keys.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { freePort, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { runCli } from '../helpers/cli-process.js';
import { EpochGate } from '../helpers/epoch-gate.js';

const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
let dir: ReturnType<typeof tempDir>;
let redis: TestRedis;
let worker: WorkerProcess | undefined;
let datasetId: number;
const gate = new EpochGate();

const cli = (...args: string[]) => runCli(dir.path, args);

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  const wb = new Workbench({ home: dir.path });
  datasetId = await importSmallTrainSet(wb, dir.path, 500);
  wb.close();
});
afterEach(() => gate.open());
afterAll(async () => {
  await worker?.kill();
  await redis?.stop();
  dir?.remove();
  gate.remove();
});

describe('bad input', () => {
  it('an unreachable Redis: an error naming the URL, password masked', async () => {
    const port = await freePort();
    const r = await cli('workers', '--queue', `redis://:hunter2@127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a wrong or missing password says so', async () => {
    const wrong = await cli('workers', '--queue', `redis://:nope@127.0.0.1:${redis.port}`);
    expect(wrong.stderr).toMatch(/refused the password/);
    const none = await cli('workers', '--queue', `redis://127.0.0.1:${redis.port}`);
    expect(none.stderr).toMatch(/needs a password/);
    const scheme = await cli('workers', '--queue', `http://127.0.0.1:${redis.port}`);
    expect(scheme.stderr).toMatch(/must start with redis:\/\/ or rediss:\/\//);
  });

  it('a worker of another app version is refused, naming both versions', async () => {
    const c = redis.client();
    await c.hset(keys.owner, { version: '9.9.9', host: 'elsewhere' });
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [bin, 'worker', '--queue', redis.url, '--name', 'old'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => resolve({ code, out }));
    });
    await c.del(keys.owner);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/refused: this worker is Digit Workbench 0\.1\.0, the owner .* runs 9\.9\.9/);
  });
});

describe('faults during a pool run', () => {
  beforeAll(async () => {
    worker = await startWorkerProcess(redis.url, 'wf', [], gate.env);
  });

  it('a dataset whose content does not match fails the run with that reason', async () => {
    const wb = new Workbench({ home: dir.path, backend: 'wasm', poolUrl: redis.url });
    try {
      // Another set of images under this dataset's sha256: what a damaged or forged copy in Redis looks like.
      const { sha256, rows } = getDataset(wb.db, datasetId);
      const c = redis.client();
      await publishDataset(c, sha256, new Uint8Array(rows * 784).fill(9), new Uint8Array(rows));
      const [run] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, target: 'pool' });
      expect(await wb.runs.waitFor(run.id)).toBe('failed');
      expect((await wb.call('runs:get', { id: run.id })).error).toMatch(/from Redis does not match the run's: its content hashes to/);
      await c.del(keys.dataset(sha256));
    } finally {
      wb.close();
    }
  });

  it('the owner SIGKILLed mid-run: the worker trains on, and on restart every epoch lands once', async () => {
    gate.close();
    const owner = spawn(
      process.execPath,
      [bin, '--home', dir.path, 'train', '--dataset', String(datasetId), '--preset', 'seed-lenet5', '--epochs', '4', '--backend', 'wasm', '--queue', redis.url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let first = '';
    await new Promise<void>((resolve) => {
      owner.stderr.on('data', (d: Buffer) => {
        first += d.toString();
        if (/epoch 1:/.test(first)) resolve();
      });
    });
    await gate.waitHeld('the run after epoch 1', (h) => h.epoch === 1);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    gate.open(); // epochs 2–4 are trained while no owner is there to commit them
    const runId = Number(/run (\d+):/.exec(first)![1]);
    const again = await cli('resume', String(runId), '--queue', redis.url, '--json');
    expect(again.code).toBe(0);
    const run = JSON.parse(again.stdout) as { status: string; epochs: { epoch: number }[] };
    expect(run.status).toBe('completed');
    expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    // Each epoch was committed (and shown) by exactly one of the two owners.
    const shown = [...`${first}${again.stderr}`.matchAll(/^epoch (\d+):/gm)].map((m) => Number(m[1])).sort();
    expect(shown).toEqual([1, 2, 3, 4]);
  });

  it('Redis restarted mid-run (AOF on): owner and worker reconnect and the run completes', async () => {
    const wb = new Workbench({ home: dir.path, backend: 'wasm', poolUrl: redis.url });
    try {
      gate.close();
      const [run] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 3 }, target: 'pool' });
      await new Promise<void>((resolve) => {
        const off = wb.on((e) => {
          if (e.type === 'run:epoch' && e.runId === run.id) {
            off();
            resolve();
          }
        });
      });
      await gate.waitHeld('the run after epoch 1', (h) => h.runId === run.id && h.epoch === 1);
      await redis.restart();
      gate.open();
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
      expect((await wb.call('runs:get', { id: run.id })).epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    } finally {
      wb.close();
    }
  });
});

