// The runs filter names what it cannot compare (lr<0.002 used to match nothing, silently) and takes the labels the
// run page shows (LR, "Batch size" typed as batchsize) as well as the paths.
import { describe, expect, it } from 'vitest';
import { flatten } from '../../src/shared/hyperparams-flat.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import type { RunInfo } from '../../src/shared/runs.js';
import { fieldNames, runFilter, unknownFields } from '../../src/renderer/lib/run-columns.js';

const flat = flatten(resolveHyperparams('seed-lenet5'));
const run = (id: number, params: Record<string, string>): RunInfo => ({
  id, datasetId: 1, preset: 'seed-lenet5', status: 'completed', seed: 1, backend: 'wasm', workers: 1, target: 'local', trainedBy: [], params, sweepId: null, prunedAt: null,
  backendNote: null, error: null, notes: '', tags: [], groupKey: null, createdAt: '', startedAt: null, endedAt: null, epochsPlanned: 1, epochsDone: 1, bestEpoch: 1,
  bestValAcc: 0.9, lastValAcc: 0.9, imagesPerSecond: 1, durationSeconds: 1,
});
const runs = [run(1, {}), run(2, { learningRate: '0.003' }), run(3, { batchSize: '128' })];
const shown = (text: string) => runs.filter(runFilter(text, () => 'train', () => flat)).map((r) => r.id);

describe('runs filter names', () => {
  it('accepts the run page’s LR and the form’s labels', () => {
    expect(shown('lr<0.002')).toEqual([1, 3]);
    expect(shown('LR>0.002')).toEqual([2]);
    expect(shown('learningrate=0.003')).toEqual([2]);
    expect(shown('batchsize=128')).toEqual([3]);
    expect(unknownFields('lr<0.002 batchsize=128 earlystoppingpatience>1', Object.keys(flat))).toEqual([]);
  });

  it('says which names are unknown, and lists the ones there are', () => {
    expect(unknownFields('foo=bar lrate<0.1 3 baseline', Object.keys(flat))).toEqual(['foo', 'lrate']);
    expect(fieldNames(Object.keys(flat))).toContain('learningRate (LR)');
    expect(fieldNames(Object.keys(flat))).toContain('batchSize');
    expect(fieldNames(Object.keys(flat))).not.toContain('model');
  });
});
