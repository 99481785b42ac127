// Submissions offers only the groups it can ensemble: label-issue fold runs (each validated on its own held-out
// fold) and stratified seed repeats are validated on different images; a seed group on the file's tail is not.
// The Exporter asks the core whether the test set looks like the runs' training images (latest choice wins).
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/runs.js';
import { ensembleGroups, sameValidation, seedGroups } from '../../src/renderer/lib/analysis-runs.js';
import { installFakeBridge } from '../mocks/fake-bridge.js';

const bridge = installFakeBridge();
let Exporter: typeof import('../../src/renderer/lib/exporter.svelte.js').Exporter;
beforeAll(async () => {
  ({ Exporter } = await import('../../src/renderer/lib/exporter.svelte.js'));
});

const run = (id: number, groupKey: string, seed: number, params: Record<string, string> = {}, datasetId = 1): RunInfo => ({
  id, datasetId, preset: 'seed-lenet5', status: 'completed', seed, backend: 'wasm', workers: 1, target: 'local', trainedBy: [], params, sweepId: null, prunedAt: null,
  backendNote: null, error: null, notes: '', tags: [], groupKey, createdAt: '', startedAt: null, endedAt: null, epochsPlanned: 1, epochsDone: 1, bestEpoch: 1,
  bestValAcc: 0.9, lastValAcc: 0.9, imagesPerSecond: 1, durationSeconds: 1,
});
const fold = (id: number, index: number) =>
  run(id, 'label-issues-1', 7, { epochs: '3', 'validation.mode': 'kfold', 'validation.ratio': '0.3333', 'validation.fold.count': '3', 'validation.fold.index': String(index) });

describe('ensembleGroups', () => {
  const seeds = [run(1, 'g-seeds', 1), run(2, 'g-seeds', 2), run(3, 'g-seeds', 3)];
  const folds = [fold(4, 0), fold(5, 1), fold(6, 2)];
  const stratified = [run(7, 'g-strat', 1, { 'validation.mode': 'stratified' }), run(8, 'g-strat', 2, { 'validation.mode': 'stratified' })];

  it('offers a seed group validated on the same tail, not label-issue folds or stratified seed repeats', () => {
    const list = [...seeds, ...folds, ...stratified];
    expect(seedGroups(list).map((g) => g.key)).toEqual(['g-seeds', 'label-issues-1', 'g-strat']);
    expect(ensembleGroups(list).map((g) => g.key)).toEqual(['g-seeds']);
    expect(sameValidation(folds)).toBe(false);
    expect(sameValidation([run(9, 'x', 1), run(10, 'x', 1, {}, 2)])).toBe(false);
    expect(sameValidation([run(11, 'y', 5, { 'validation.mode': 'stratified' }), run(12, 'y', 5, { 'validation.mode': 'stratified' })])).toBe(true);
  });
});

describe('Exporter.check', () => {
  it('shows the core’s warnings for the latest choice only', async () => {
    let answer: (v: { warnings: string[] }) => void = () => undefined;
    bridge.handle('submissions:check', (args) => {
      const { datasetId } = args as { datasetId: number };
      if (datasetId === 2) return new Promise((resolve) => (answer = resolve));
      return { warnings: datasetId === 3 ? ['"clothes" does not look like the images'] : [] };
    });
    const exporter = new Exporter();
    const slow = exporter.check([1], 2);
    await exporter.check([1], 3);
    expect(exporter.warnings).toEqual(['"clothes" does not look like the images']);
    answer({ warnings: [] });
    await slow;
    expect(exporter.warnings).toEqual(['"clothes" does not look like the images']);
    await exporter.check([], 3);
    expect(exporter.warnings).toEqual([]);
  });
});
