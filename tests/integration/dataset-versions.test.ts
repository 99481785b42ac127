// Dataset versions on a real store: the original is untouched, relabels and exclusions land in a new dataset that
// records its parent and changes, runs can train on it, and bad requests name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { PIXELS } from '../../src/core/datasets/mnist-digits.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let parentId: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  parentId = await importSmallTrainSet(wb, dir.path, 200);
});
afterAll(() => {
  wb.close();
  dir.remove();
});

describe('dataset versions', () => {
  it('relabel and exclude rows into a new dataset with its lineage; the original is unchanged', async () => {
    const before = loadDatasetArrays(wb.db, parentId);
    const parent = await wb.call('datasets:get', { id: parentId });
    const newLabel = (before.labels![4] + 3) % 10;
    const { dataset, existing } = await wb.call('datasets:version', { id: parentId, relabels: [{ row: 5, label: newLabel }], excludes: [2, 200] });
    expect(existing).toBe(false);
    expect(dataset.rows).toBe(198);
    expect(dataset.name).toBe(`${parent.name} v2`);

    const after = loadDatasetArrays(wb.db, parentId);
    expect(after.labels).toEqual(before.labels);
    expect(after.pixels).toEqual(before.pixels);
    expect((await wb.call('datasets:get', { id: parentId })).sha256).toBe(parent.sha256);

    const made = loadDatasetArrays(wb.db, dataset.id);
    // Row 1 stays first; row 2 is gone, so the version's 4th image is the parent's row 5, relabelled.
    expect(made.pixels.subarray(0, PIXELS)).toEqual(before.pixels.subarray(0, PIXELS));
    expect(made.pixels.subarray(PIXELS, 2 * PIXELS)).toEqual(before.pixels.subarray(2 * PIXELS, 3 * PIXELS));
    expect(made.labels![3]).toBe(newLabel);
    expect(made.pixels.subarray(3 * PIXELS, 4 * PIXELS)).toEqual(before.pixels.subarray(4 * PIXELS, 5 * PIXELS));
    expect(made.labels![197]).toBe(before.labels![198]);

    const detail = await wb.call('datasets:get', { id: dataset.id });
    expect(detail.version).toEqual({
      parentId,
      parentName: parent.name,
      parentSha256: parent.sha256,
      relabels: [{ row: 5, from: before.labels![4], to: newLabel }],
      excludes: [2, 200],
    });
    expect(detail.classCounts!.reduce((a, b) => a + b, 0)).toBe(198);
    expect((await wb.call('datasets:get', { id: parentId })).version).toBeNull();

    // The same changes again give the same dataset, not a copy.
    const again = await wb.call('datasets:version', { id: parentId, relabels: [{ row: 5, label: newLabel }], excludes: [200, 2] });
    expect(again).toMatchObject({ existing: true, dataset: { id: dataset.id } });

    const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
    expect(await wb.runs.waitFor(run.id)).toBe('completed');
    expect((await wb.call('runs:get', { id: run.id })).datasetSha256).toBe(dataset.sha256);
  });

  it('refuses bad changes with the field named', async () => {
    const label = loadDatasetArrays(wb.db, parentId).labels![0];
    const version = (args: object) => wb.call('datasets:version', { id: parentId, relabels: [], excludes: [], ...args });
    await expect(version({})).rejects.toThrow(/relabels\/excludes: a version needs at least one/);
    await expect(version({ excludes: [201] })).rejects.toThrow(/excludes: row must be 1–200, got 201/);
    await expect(version({ relabels: [{ row: 1, label }] })).rejects.toThrow(/relabels: row 1 is already labelled/);
    await expect(version({ relabels: [{ row: 1, label: (label + 1) % 10 }], excludes: [1] })).rejects.toThrow(/excludes: row 1 is relabelled or excluded twice/);
    await expect(version({ relabels: [{ row: 1, label: 10 }] })).rejects.toThrow(/relabels\[0\]\.label/);
    await expect(wb.call('datasets:version', { id: 2, relabels: [], excludes: [1] })).rejects.toThrow(/id: dataset 2 .*test set/);
  });
});
