// The training engine end to end: the real trainer process (wasm) on a few hundred real digits, every epoch and
// checkpoint in SQLite, stop, SIGKILL, resume equal to an uninterrupted run, and determinism.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { nodeTrainerSpawner, type TrainerHandle } from '../../src/core/training/trainer-process.js';
import { loadCheckpoint } from '../../src/core/training/runs-repo.js';
import type { WorkbenchEvent } from '../../src/shared/events.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { comparable } from '../helpers/comparable-epochs.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
const trainers: TrainerHandle[] = [];
const allEvents: WorkbenchEvent[] = [];

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({
    home: dir.path,
    backend: 'wasm',
    spawnTrainer: () => {
      const t = nodeTrainerSpawner();
      trainers.push(t);
      return t;
    },
  });
  wb.on((e) => allEvents.push(e));
  datasetId = await importSmallTrainSet(wb, dir.path, 400);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

const lenet = (epochs: number, extra: Record<string, unknown> = {}) => ({ datasetId, preset: 'seed-lenet5', hyperparams: { epochs, ...extra } });
// Time, speed and the trainer's CPU and memory are measurements of the machine, not of the model.

function eventsOf(runId: number): WorkbenchEvent[] {
  return allEvents.filter((e) => ('runId' in e && e.runId === runId) || (e.type === 'run:progress' && e.progress.runId === runId));
}

describe('a seed-lenet5 run in the trainer process', () => {
  it('streams progress and epochs, and records each epoch, checkpoint and the validation predictions', async () => {
    const [run] = await wb.call('runs:start', lenet(2));
    expect(await wb.runs.waitFor(run.id)).toBe('completed');
    const events = eventsOf(run.id);
    const detail = await wb.call('runs:get', { id: run.id });
    expect(detail.backend).toBe('wasm');
    expect(detail.summary?.totalParams).toBe(61_706);
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of detail.epochs) {
      expect(e.loss).toBeGreaterThan(0);
      expect(e.valAcc).toBeGreaterThanOrEqual(0);
      expect(e.lr).toBe(0.001);
      expect(e.imagesPerSecond).toBeGreaterThan(0);
    }
    expect(detail.epochs[1].loss).toBeLessThan(detail.epochs[0].loss);
    expect(events.filter((e) => e.type === 'run:epoch')).toHaveLength(2);
    expect(events.some((e) => e.type === 'run:progress')).toBe(true);
    expect(events.filter((e) => e.type === 'run:status').map((e) => (e as { status: string }).status)).toEqual(['queued', 'running', 'completed']);
    expect(loadCheckpoint(wb.db, run.id, 'last')?.epoch).toBe(2);
    expect(loadCheckpoint(wb.db, run.id, 'best')?.epoch).toBe(detail.bestEpoch);
    // The seed notebook's split: the last 10% of the file (40 of 400 images), probabilities per image.
    const preds = wb.db.prepare('SELECT indices, probs FROM val_predictions WHERE run_id = ?').get(run.id) as { indices: Buffer; probs: Buffer };
    const indices = new Int32Array(preds.indices.buffer, preds.indices.byteOffset, preds.indices.byteLength / 4);
    expect(Array.from(indices)).toEqual(Array.from({ length: 40 }, (_, i) => 360 + i));
    const probs = new Float32Array(preds.probs.buffer.slice(preds.probs.byteOffset, preds.probs.byteOffset + preds.probs.byteLength));
    expect(probs).toHaveLength(400);
    expect(probs.subarray(0, 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('is deterministic: the same seed gives the same metrics, another seed others', async () => {
    const runs = await wb.call('runs:start', { ...lenet(2), seeds: [11, 11, 12] });
    for (const r of runs) expect(await wb.runs.waitFor(r.id)).toBe('completed');
    const [a, b, c] = await Promise.all(runs.map((r) => wb.call('runs:get', { id: r.id })));
    expect(comparable(a.epochs)).toEqual(comparable(b.epochs));
    expect(comparable(a.epochs)).not.toEqual(comparable(c.epochs));
    expect(a.groupKey).toBeTruthy();
    expect(new Set(runs.map((r) => r.groupKey)).size).toBe(1);
  });

  it('stops on request after the current batch, keeping completed epochs', async () => {
    const [run] = await wb.call('runs:start', lenet(50));
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === run.id && e.metrics.epoch === 1) void wb.call('runs:stop', { id: run.id });
    });
    expect(await wb.runs.waitFor(run.id)).toBe('stopped');
    off();
    const detail = await wb.call('runs:get', { id: run.id });
    expect(detail.epochs.length).toBeGreaterThanOrEqual(1);
    expect(detail.epochs.length).toBeLessThan(50);
  });

  it('a stopped run resumed from its checkpoint ends with the same metrics as an uninterrupted one', async () => {
    const [straight] = await wb.call('runs:start', lenet(6, { seed: 5 }));
    expect(await wb.runs.waitFor(straight.id)).toBe('completed');
    const [interrupted] = await wb.call('runs:start', lenet(6, { seed: 5 }));
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === interrupted.id && e.metrics.epoch === 2) void wb.call('runs:stop', { id: interrupted.id });
    });
    expect(await wb.runs.waitFor(interrupted.id)).toBe('stopped');
    off();
    expect((await wb.call('runs:get', { id: interrupted.id })).epochs.length).toBeLessThan(6);
    await wb.call('runs:resume', { id: interrupted.id });
    expect(await wb.runs.waitFor(interrupted.id)).toBe('completed');
    const [a, b] = await Promise.all([wb.call('runs:get', { id: straight.id }), wb.call('runs:get', { id: interrupted.id })]);
    expect(b.id).toBe(interrupted.id);
    expect(comparable(b.epochs)).toEqual(comparable(a.epochs));
  });

  // A small BatchNorm model: every option trains the same weights; only the statistics validation uses differ.
  const bnModel = [
    { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' },
    { type: 'batchNorm' },
    { type: 'activation', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ];
  it.each(['debiased', 'recomputed'])('with %s BatchNorm statistics: a stopped and resumed run equals an uninterrupted one, and validation differs from keras', async (batchNormStats) => {
    const start = (stats: string) => wb.call('runs:start', lenet(3, { seed: 4, model: bnModel, batchNormStats: stats }));
    const [[keras], [straight], [interrupted]] = [await start('keras'), await start(batchNormStats), await start(batchNormStats)];
    const off = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === interrupted.id && e.metrics.epoch === 1) void wb.call('runs:stop', { id: interrupted.id });
    });
    for (const r of [keras, straight]) expect(await wb.runs.waitFor(r.id)).toBe('completed');
    expect(await wb.runs.waitFor(interrupted.id)).toBe('stopped');
    off();
    await wb.call('runs:resume', { id: interrupted.id });
    expect(await wb.runs.waitFor(interrupted.id)).toBe('completed');
    const [k, a, b] = await Promise.all([keras, straight, interrupted].map((r) => wb.call('runs:get', { id: r.id })));
    expect(b.hyperparams.batchNormStats).toBe(batchNormStats);
    expect(comparable(b.epochs)).toEqual(comparable(a.epochs));
    // The same training (the loss is of the training batches), validated with other statistics.
    expect(a.epochs.map((e) => e.loss)).toEqual(k.epochs.map((e) => e.loss));
    expect(a.epochs.map((e) => e.valLoss)).not.toEqual(k.epochs.map((e) => e.valLoss));
  });

  it('a trainer killed mid-epoch fails its run with the reason; completed epochs survive; the next run is fine', async () => {
    const [run] = await wb.call('runs:start', lenet(50));
    await new Promise<void>((resolve) => {
      let sawEpoch = false;
      const off = wb.on((e) => {
        if (e.type === 'run:epoch' && e.runId === run.id) sawEpoch = true;
        if (e.type === 'run:progress' && e.progress.runId === run.id && sawEpoch && e.progress.batch < e.progress.batches) {
          off();
          process.kill(trainers[trainers.length - 1].pid!, 'SIGKILL');
          resolve();
        }
      });
    });
    expect(await wb.runs.waitFor(run.id)).toBe('failed');
    const failed = await wb.call('runs:get', { id: run.id });
    expect(failed.error).toMatch(/killed by SIGKILL during epoch \d+/);
    expect(failed.epochs.length).toBeGreaterThanOrEqual(1);
    expect(loadCheckpoint(wb.db, run.id, 'last')?.epoch).toBe(failed.epochs.length);
    expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const [next] = await wb.call('runs:start', lenet(1));
    expect(await wb.runs.waitFor(next.id)).toBe('completed');
  });
});
