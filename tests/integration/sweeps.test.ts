// A sweep through the Workbench: stopped while its first trial trains, resumed from that trial's checkpoint, ends
// with its whole budget; the detail carries importance and the best-vs-runner-up comparison.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, sample: false });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

describe('sweeps', () => {
  it('stops, resumes and finishes; the same seed proposes the same trials', async () => {
    const args = { datasetId, preset: 'seed-lenet5', params: ['batchSize=16..64', 'learningRate=log:1e-3..1e-2', 'epochs=2'], trials: 3, search: 'random' as const, seed: 9 };
    const firstEpoch = new Promise<void>((resolve) => {
      const off = wb.on((e) => {
        if (e.type === 'run:epoch') {
          off();
          resolve();
        }
      });
    });
    const sweep = await wb.call('sweeps:start', args);
    expect(sweep).toMatchObject({ status: 'running', search: 'random', seed: 9, trials: 3, prune: null });
    await firstEpoch;
    expect((await wb.call('sweeps:stop', { id: sweep.id })).status).toBe('stopped');
    const stopped = await wb.sweeps.waitFor(sweep.id);
    expect(stopped.status).toBe('stopped');
    let detail = await wb.call('sweeps:get', { id: sweep.id });
    expect(detail.trialList.map((t) => t.status)).toEqual(['stopped']);
    const kept = detail.trialList[0].epochsDone;
    expect(kept).toBeGreaterThanOrEqual(1);

    await wb.call('sweeps:resume', { id: sweep.id });
    expect((await wb.sweeps.waitFor(sweep.id)).status).toBe('completed');
    detail = await wb.call('sweeps:get', { id: sweep.id });
    expect(detail.trialList.map((t) => [t.status, t.epochsDone])).toEqual([['completed', 2], ['completed', 2], ['completed', 2]]);
    expect(detail.dimensions.map((d) => d.key)).toEqual(['batchSize', 'learningRate']);
    expect(detail.importance.reduce((s, p) => s + p.importance, 0)).toBeCloseTo(1, 6);
    expect(detail.comparison).toMatchObject({ noiseSource: 'binomial' });
    expect(detail.valSize).toBe(30);
    expect(detail.comparison!.noise).toBeGreaterThan(0);

    // Random search with the same seed repeats its points (no results feed random proposals).
    const again = await wb.call('sweeps:start', { ...args, trials: 1 });
    await wb.sweeps.waitFor(again.id);
    const second = await wb.call('sweeps:get', { id: again.id });
    expect(second.trialList[0].params).toEqual(detail.trialList[0].params);
    expect((await wb.call('sweeps:list', undefined)).map((s) => s.id)).toEqual([sweep.id, again.id]);
  });

  it('closing the process interrupts its sweep without proposing a trial; resume continues it', async () => {
    const other = tempDir();
    let mine = new Workbench({ home: other.path, sample: false });
    try {
      const ds = await importSmallTrainSet(mine, other.path, 300);
      const epoch = new Promise<void>((resolve) => mine.on((e) => e.type === 'run:epoch' && resolve()));
      const sweep = await mine.call('sweeps:start', { datasetId: ds, preset: 'seed-lenet5', params: ['batchSize=32,64', 'epochs=2'], search: 'grid' });
      await epoch;
      mine.close();
      mine = new Workbench({ home: other.path, sample: false });
      const after = await mine.call('sweeps:get', { id: sweep.id });
      expect(after.status).toBe('interrupted');
      expect(after.trialList.map((t) => t.status)).toEqual(['interrupted']);
      await mine.call('sweeps:resume', { id: sweep.id });
      expect((await mine.sweeps.waitFor(sweep.id)).status).toBe('completed');
      const done = await mine.call('sweeps:get', { id: sweep.id });
      expect(done.trialList.map((t) => [t.runId, t.status])).toEqual([[after.trialList[0].runId, 'completed'], [after.trialList[0].runId + 1, 'completed']]);
    } finally {
      mine.close();
      other.remove();
    }
  });
});
