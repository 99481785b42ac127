// The worker pool end to end: a real redis-server, two `digit-workbench worker` processes and one owner (a
// Workbench on a temp data folder). Runs trained by workers land in the owner's SQLite like local ones. Tests
// that must act while a run trains hold its trainer at the epoch gate (tests/helpers/epoch-gate.ts) instead of
// betting that a stop or a kill arrives before the remaining epochs are done.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { comparable } from '../helpers/comparable-epochs.js';
import { EpochGate } from '../helpers/epoch-gate.js';

let dir: ReturnType<typeof tempDir>;
let redis: TestRedis;
let wb: Workbench;
let datasetId: number;
const workers: WorkerProcess[] = [];
const gate = new EpochGate();

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  wb = new Workbench({ home: dir.path, backend: 'wasm', poolUrl: redis.url });
  datasetId = await importSmallTrainSet(wb, dir.path, 600);
  workers.push(await startWorkerProcess(redis.url, 'wa', [], gate.env), await startWorkerProcess(redis.url, 'wb', [], gate.env));
});
afterEach(() => gate.open());
afterAll(async () => {
  wb?.close();
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.stop();
  dir?.remove();
  gate.remove();
});

const lenet = (epochs: number, extra: Record<string, unknown> = {}) => ({ datasetId, preset: 'seed-lenet5', hyperparams: { epochs, ...extra } });

async function localRun(epochs: number, seed: number) {
  const [run] = await wb.call('runs:start', lenet(epochs, { seed }));
  expect(await wb.runs.waitFor(run.id)).toBe('completed');
  return wb.call('runs:get', { id: run.id });
}

describe('a pool of two workers', () => {
  it('lists both workers with their backend', async () => {
    const status = await wb.call('workers:status', undefined);
    expect(status.url).toBe(redis.url.replace(/:[^:@]+@/, ':***@'));
    expect(status.workers.map((w) => [w.name, w.backend, w.version])).toEqual([
      ['wa', 'wasm', '0.1.0'],
      ['wb', 'wasm', '0.1.0'],
    ]);
  });

  it('spreads a seed group of 4 over both workers; each run equals a local run with its seed', async () => {
    // Two runs held at once are on two workers (each takes one job at a time): then the group goes on.
    gate.close();
    const group = await wb.call('runs:start', { ...lenet(2), seeds: [1, 2, 3, 4], target: 'pool' });
    await gate.waitHeldCount('two runs', 2);
    gate.open();
    for (const r of group) expect(await wb.runs.waitFor(r.id)).toBe('completed');
    const details = await Promise.all(group.map((r) => wb.call('runs:get', { id: r.id })));
    expect(new Set(details.flatMap((d) => d.trainedBy))).toEqual(new Set(['wa', 'wb']));
    for (const d of details) {
      expect(d.target).toBe('pool');
      expect(d.backend).toBe('wasm');
      expect(d.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(d.epochWorkers.every((w) => w === 'wa' || w === 'wb')).toBe(true);
      const preds = wb.db.prepare('SELECT epoch FROM val_predictions WHERE run_id = ?').pluck().get(d.id);
      expect(preds).toBe(d.bestEpoch);
    }
    const local = await localRun(2, 3);
    expect(local.trainedBy).toEqual([]);
    expect(comparable(details[2].epochs)).toEqual(comparable(local.epochs));
  });

  it('each epoch sends its checkpoint to Redis once; a finished run leaves none of its keys behind', async () => {
    const c = redis.client();
    const received = async () => Number(/total_net_input_bytes:(\d+)/.exec(await c.info('stats'))![1]);
    // The dataset is in Redis already (the seed group published it): what this run sends is its events.
    const before = await received();
    const [run] = await wb.call('runs:start', { ...lenet(3, { seed: 11 }), target: 'pool' });
    expect(await wb.runs.waitFor(run.id)).toBe('completed');
    const sent = (await received()) - before;
    const checkpoint = wb.db.prepare("SELECT length(weights) + length(optimizer) FROM checkpoints WHERE run_id = ? AND slot = 'last'").pluck().get(run.id) as number;
    // Three checkpoints, plus progress, epochs, validation predictions, heartbeats and BullMQ's own commands: far
    // less than a fourth. (Written into the stream and into each slot, an improving epoch sent it three times.)
    expect(sent).toBeGreaterThan(3 * checkpoint);
    expect(sent).toBeLessThan(4 * checkpoint);
    const jobId = wb.db.prepare('SELECT pool_job FROM runs WHERE id = ?').pluck().get(run.id) as string;
    await expect.poll(() => c.keys(`dw:job:${jobId}:*`)).toEqual([]);
  });

  it('stop from the owner reaches the worker: the run ends stopped with its completed epochs kept', async () => {
    // Held after epoch 1 until the stop arrives through Redis.
    gate.close();
    const [run] = await wb.call('runs:start', { ...lenet(3), target: 'pool' });
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id) void wb.call('runs:stop', { id: run.id });
    });
    expect(await wb.runs.waitFor(run.id)).toBe('stopped');
    off();
    const d = await wb.call('runs:get', { id: run.id });
    expect(d.epochsDone).toBe(1);
    expect(d.error).toBeNull();
  });

  it('a pool run stopped after epoch 1 and resumed continues from its checkpoint on the pool and ends like a local run', async () => {
    gate.close();
    const [run] = await wb.call('runs:start', { ...lenet(3, { seed: 13 }), target: 'pool' });
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id) void wb.call('runs:stop', { id: run.id });
    });
    expect(await wb.runs.waitFor(run.id)).toBe('stopped');
    off();
    expect((await wb.call('runs:get', { id: run.id })).epochsDone).toBe(1);
    gate.open();
    await wb.call('runs:resume', { id: run.id });
    expect(await wb.runs.waitFor(run.id)).toBe('completed');
    const d = await wb.call('runs:get', { id: run.id });
    expect(d.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(d.epochWorkers.every((w) => w === 'wa' || w === 'wb')).toBe(true);
    expect(comparable(d.epochs)).toEqual(comparable((await localRun(3, 13)).epochs));
  });

  it('a worker SIGKILLed after its first committed epoch: the run moves to the other and ends like a local run', async () => {
    // Held after epoch 1 until its worker is dead; the other worker continues from epoch 2, past the gate.
    gate.close();
    const [run] = await wb.call('runs:start', { ...lenet(4, { seed: 5 }), target: 'pool' });
    let killed: WorkerProcess | undefined;
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id && e.metrics.epoch === 1 && !killed) {
        const name = wb.db.prepare('SELECT worker FROM epochs WHERE run_id = ? AND epoch = 1').pluck().get(run.id);
        killed = workers.find((w) => w.name === name);
        void killed?.kill().then(() => gate.open());
      }
    });
    expect(await wb.runs.waitFor(run.id)).toBe('completed');
    off();
    expect(killed).toBeDefined();
    const d = await wb.call('runs:get', { id: run.id });
    expect(d.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(d.epochWorkers[0]).toBe(killed!.name);
    expect(d.epochWorkers[3]).not.toBe(killed!.name);
    const local = await localRun(4, 5);
    expect(comparable(d.epochs)).toEqual(comparable(local.epochs));
  });
});
