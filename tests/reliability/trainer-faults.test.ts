// Trainer faults: the trainer process SIGKILLed at seeded random points (startup, mid-batch, between an epoch and
// its checkpoint, right after a checkpoint), 24 times over one resumed run: nothing completed is ever lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadCheckpoint } from '../../src/core/training/runs-repo.js';
import { mulberry32 } from '../../src/shared/random.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { isAlive, sleep, trackedTrainers } from '../helpers/tracked-trainers.js';

const KILLS = 24;
type KillPoint = 'delay' | 'progress' | 'before-checkpoint' | 'after-checkpoint';
const POINTS: KillPoint[] = ['delay', 'progress', 'before-checkpoint', 'after-checkpoint'];

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
const trainers = trackedTrainers();

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, sample: false, backend: 'wasm', workers: 1, spawnTrainer: trainers.spawn });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

/** Kills the run's current trainer at `point`; resolves once the kill was sent. */
function killAt(runId: number, point: KillPoint, random: () => number): Promise<string> {
  const trainer = trainers.latest();
  return new Promise((resolve) => {
    const done = (what: string) => {
      offRaw();
      offWb();
      clearTimeout(timer);
      process.kill(trainer.pid!, 'SIGKILL');
      resolve(what);
    };
    let timer: NodeJS.Timeout | undefined;
    let progressLeft = 1 + Math.floor(random() * 6);
    if (point === 'delay') {
      const ms = Math.floor(random() * 1500);
      timer = setTimeout(() => done(`${ms} ms after launch`), ms);
    }
    const offRaw = trainers.onRaw((event, t) => {
      if (t !== trainer) return;
      if (point === 'before-checkpoint' && event.type === 'epoch') done(`between epoch ${event.metrics.epoch} and its checkpoint`);
    });
    const offWb = wb.on((event) => {
      if (point === 'progress' && event.type === 'run:progress' && event.progress.runId === runId && --progressLeft === 0) {
        done(`at batch ${event.progress.batch}/${event.progress.batches} of epoch ${event.progress.epoch}`);
      }
      if (point === 'after-checkpoint' && event.type === 'run:epoch' && event.runId === runId) done(`right after the checkpoint of epoch ${event.metrics.epoch}`);
    });
  });
}

describe('a trainer SIGKILLed at random points', () => {
  it(`keeps every completed epoch and checkpoint over ${KILLS} kills, fails with the reason, and trains again`, async () => {
    const random = mulberry32(20240607);
    const announced = new Set<number>(); // epochs a run:epoch event said were completed
    let runId = 0;
    const offEpochs = wb.on((e) => {
      if (e.type === 'run:epoch' && e.runId === runId) announced.add(e.metrics.epoch);
    });
    const log: string[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        const point = POINTS[Math.floor(random() * POINTS.length)];
        if (i === 0) runId = (await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 500 } }))[0].id;
        else await wb.call('runs:resume', { id: runId });
        const trainer = trainers.latest();
        const where = `kill ${i + 1}, ${await killAt(runId, point, random)}`;
        expect(await wb.runs.waitFor(runId)).toBe('failed');
        log.push(point);

        const run = await wb.call('runs:get', { id: runId });
        expect(run.error, where).toMatch(/^the trainer process was killed by SIGKILL during epoch \d+$/);
        const stored = run.epochs.map((e) => e.epoch);
        expect(stored, where).toEqual([...announced].sort((a, b) => a - b));
        expect(stored, where).toEqual(stored.map((_, k) => k + 1));
        const last = loadCheckpoint(wb.db, runId, 'last');
        expect(last?.epoch ?? 0, where).toBe(stored.length);
        if (stored.length > 0) expect(loadCheckpoint(wb.db, runId, 'best')?.epoch, where).toBe(run.bestEpoch);
        expect(wb.runs.activeCount).toBe(0);
        for (let k = 0; k < 50 && isAlive(trainer.pid); k++) await sleep(20);
        expect(isAlive(trainer.pid)).toBe(false);
      }
      expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The kills covered every kind of point, and the run made progress across them.
      expect(new Set(log).size).toBe(POINTS.length);
      // Each kill right after a checkpoint follows a newly completed epoch, whatever the machine's speed.
      expect(announced.size).toBeGreaterThanOrEqual(log.filter((p) => p === 'after-checkpoint').length);
      expect(announced.size).toBeGreaterThan(0);
    } finally {
      offEpochs();
    }
    const [next] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
    expect(await wb.runs.waitFor(next.id)).toBe('completed');
    expect((await wb.call('runs:get', { id: next.id })).epochs).toHaveLength(1);
  }, 300_000); // 24 trainer starts and a resume check each: ~85 s alone, more beside other test files
});
