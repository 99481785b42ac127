// The learning-rate finder in a real trainer process on a few hundred real digits: the schedule and the curve come
// back through the protocol, the suggestion lies on the curve, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

describe('lr-find', () => {
  it('records the smoothed loss at exponentially rising learning rates and suggests one of them', async () => {
    const r = await wb.call('runs:lr-find', { datasetId, preset: 'seed-lenet5', steps: 60 });
    expect(r.backend).toBe('wasm');
    expect(r.points.length).toBeGreaterThan(10);
    expect(r.points.length).toBeLessThanOrEqual(60);
    expect(r.points[0].lr).toBeCloseTo(1e-7, 12);
    for (let i = 1; i < r.points.length; i++) expect(r.points[i].lr / r.points[i - 1].lr).toBeCloseTo(1e7 ** (1 / 59), 6);
    // Untrained LeNet-5 starts near ln(10); somewhere on the way up the loss must come down.
    expect(r.points[0].loss).toBeGreaterThan(2);
    expect(Math.min(...r.points.map((p) => p.loss))).toBeLessThan(r.points[0].loss - 0.05);
    expect(r.suggested).not.toBeNull();
    expect(r.points.map((p) => p.lr)).toContain(r.steepest ?? r.minOver10! * 10);
    expect((await wb.call('runs:list', undefined)).length).toBe(0);
  });

  it('refuses a test set and a bad override, naming the field', async () => {
    await expect(wb.call('runs:lr-find', { datasetId: 2, preset: 'seed-lenet5' })).rejects.toThrow(/datasetId: .*test set/);
    await expect(wb.call('runs:lr-find', { datasetId, preset: 'seed-lenet5', hyperparams: { batchSize: 0 } })).rejects.toThrow(/batchSize/);
  });
});
