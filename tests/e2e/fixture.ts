// A data folder with a few tiny trained runs, so layout, keyboard and screenshot tests see every view as a user
// with history does (tables full, long notes, a seed group, a submission in the ledger), not as empty states.
import { join } from 'node:path';
import { expect } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import * as autopilotJobs from '../../src/core/autopilot/jobs-repo.js';
import { plan } from '../../src/core/autopilot/planner.js';
import { throughputFromRuns } from '../../src/core/autopilot/throughput.js';
import { selectEnsemble } from '../../src/core/autopilot/ensemble.js';

export interface Trained {
  data: string;
  runs: number[];
  /** A run with long notes and several tags: its row is the widest in the runs table. */
  noted: number;
  /** With `wide`: the widest content each view can meet. */
  wide?: {
    /** A training set with a long name. */
    datasetId: number;
    /** A cnn-strong run on it, with tags and notes, stopped before its first epoch. */
    strong: number;
    sweepId: number;
    labelKey: string;
  };
  /** A completed autopilot job whose members are the seed group. */
  autopilot: number;
}

/** A training set's name as long as people give them: it must wrap or shorten, never widen a view. */
export const LONG_DATASET_NAME = 'kaggle-digit-recognizer-train-42000-rows-relabelled-after-label-issues-review-v3';

/**
 * Trains three one-epoch runs (a seed group of two and one with notes) and exports a submission, then closes.
 * `wide` adds what widens views: a long-named dataset, a stopped cnn-strong run with tags and notes, a two-trial
 * sweep and a two-fold label-issues job.
 */
export async function trainFixture(home: string, count = 600, opts: { wide?: boolean } = {}): Promise<Trained> {
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
    const autopilot = await recordAutopilotJob(wb, { datasetId, testDatasetId: test.id, members: runs.slice(0, 2), out: join(home, 'autopilot.csv') });
    const wide = opts.wide ? await widen(wb, home, datasetId) : undefined;
    return { data, runs, noted: noted.id, autopilot, wide };
  } finally {
    wb.close();
  }
}

async function widen(wb: Workbench, home: string, smallId: number): Promise<NonNullable<Trained['wide']>> {
  const other = await importSmallTrainSet(wb, home, 300, 11);
  const { id: datasetId } = await wb.call('datasets:rename', { id: other, name: LONG_DATASET_NAME });
  const [strong] = await wb.call('runs:start', { datasetId, preset: 'cnn-strong', hyperparams: { epochs: 3 } });
  await wb.call('runs:stop', { id: strong.id });
  expect(await wb.runs.waitFor(strong.id)).toBe('stopped');
  await wb.call('runs:update', {
    id: strong.id,
    notes: 'Stopped at once: the augmentation was wrong for this dataset, to be restarted with rotation 8 and zoom 0.08 after the relabelled rows are checked again.',
    tags: ['cnn-strong', 'augmentation', 'relabelled-set', 'stopped-early', 'revisit'],
  });
  const sweep = await wb.call('sweeps:start', { datasetId: smallId, preset: 'seed-lenet5', params: ['learningRate=0.003,0.001', 'epochs=1'], search: 'grid', seed: 1 });
  await wb.sweeps.waitFor(sweep.id);
  const job = await wb.call('labels:start', { datasetId: smallId, folds: 2, epochs: 1 });
  for (const r of job.runs) expect(await wb.runs.waitFor(r.id)).toBe('completed');
  return { datasetId, strong: strong.id, sweepId: sweep.id, labelKey: job.key };
}

/**
 * A finished autopilot job over runs trained above, recorded through the jobs' own store functions with a plan the
 * planner makes from those runs' figures (a real job would train for its whole budget, a minute at least).
 */
async function recordAutopilotJob(wb: Workbench, o: { datasetId: number; testDatasetId: number; members: number[]; out: string }): Promise<number> {
  const rows = { trainRows: 540, valRows: 60, testRows: 2000 };
  const t = throughputFromRuns(wb.db, { datasetId: o.datasetId, preset: 'seed-lenet5', backend: null, target: 'local', ...rows })!;
  const id = autopilotJobs.createJob(wb.db, { datasetId: o.datasetId, testDatasetId: o.testDatasetId, budgetSeconds: 900, target: 'local', out: o.out, force: false });
  autopilotJobs.update(wb.db, id, { plan: plan({ budgetSeconds: 900, spentSeconds: 0, ...rows, throughput: [t], slots: 1, backend: 'wasm' }), stage: 'training' });
  for (const runId of o.members) autopilotJobs.tagMember(wb.db, id, runId);
  autopilotJobs.addNote(wb.db, id, `run ${o.members[1]} stopped after epoch 1 of 9: another epoch would end after its deadline`);
  const selection = selectEnsemble(wb.db, o.members)!;
  const sub = await wb.call('submissions:export', { runIds: selection.ensemble, datasetId: o.testDatasetId, out: o.out, tta: true });
  autopilotJobs.update(wb.db, id, { stage: 'done', ensemble: selection.ensemble, valAcc: selection.valAcc, tta: true, submissionId: sub.id, elapsedSeconds: 871.4 });
  autopilotJobs.finish(wb.db, id, 'completed');
  return id;
}
