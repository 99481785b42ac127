// A data folder with a few tiny trained runs, so layout, keyboard and screenshot tests see every view as a user
// with history does (tables full, long notes, a seed group, a submission in the ledger), not as empty states.
import { join } from 'node:path';
import { expect } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

export interface Trained {
  data: string;
  runs: number[];
  /** A run with long notes and several tags: its row is the widest in the runs table. */
  noted: number;
}

/** Trains three one-epoch runs (a seed group of two and one with notes) and exports a submission, then closes. */
export async function trainFixture(home: string, count = 600): Promise<Trained> {
  const data = join(home, 'data');
  const wb = new Workbench({ home: data });
  try {
    const datasetId = await importSmallTrainSet(wb, home, count);
    const group = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, seeds: [1, 2] });
    const [noted] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2, learningRate: 0.003 } });
    const runs = [...group, noted].map((r) => r.id);
    for (const id of runs) expect(await wb.runs.waitFor(id)).toBe('completed');
    await wb.call('runs:update', {
      id: noted.id,
      notes: 'A longer learning rate with two epochs, to see whether the plateau after the first epoch is the rate or the data. '.repeat(3),
      tags: ['baseline', 'lr-sweep', 'two-epochs', 'keep'],
    });
    const test = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-test')!;
    const sub = await wb.call('submissions:export', { runIds: runs.slice(0, 2), datasetId: test.id, out: join(home, 'submission-ensemble-of-two-seeds.csv') });
    await wb.call('submissions:score', { id: sub.id, score: 0.9712 });
    return { data, runs, noted: noted.id };
  } finally {
    wb.close();
  }
}
