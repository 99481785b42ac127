// Errors, Compare and Diff open on the last selection (while its runs exist) or on the latest completed runs.
import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/runs.js';
import { openRoute, remember, type KeyValueStore } from '../../src/renderer/lib/selections.js';

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const run = (id: number, status: RunInfo['status'], datasetId = 1, bestEpoch: number | null = 1): RunInfo => ({
  id, datasetId, preset: 'seed-lenet5', status, seed: 1, backend: 'wasm', workers: 1, target: 'local', trainedBy: [], params: {}, sweepId: null, prunedAt: null, backendNote: null, error: null, notes: '', tags: [], groupKey: null,
  createdAt: '', startedAt: null, endedAt: null, epochsPlanned: 1, epochsDone: 1, bestEpoch, bestValAcc: 0.9, lastValAcc: 0.9,
  imagesPerSecond: 1, durationSeconds: 1,
});

const list = [run(1, 'completed'), run(2, 'completed', 2), run(3, 'stopped'), run(4, 'completed'), run(5, 'running', 1, null)];

describe('openRoute', () => {
  it('opens bare views on the latest completed runs when nothing was chosen before', () => {
    const store = memoryStore();
    expect(openRoute({ view: 'errors', id: null }, list, store)).toEqual({ view: 'errors', id: 4 });
    expect(openRoute({ view: 'embedding', id: null }, list, store)).toEqual({ view: 'embedding', id: 4 });
    expect(openRoute({ view: 'compare', ids: [] }, list, store)).toEqual({ view: 'compare', ids: [2, 4] });
    // Diff needs the same validation images: the latest run and the newest other run on its dataset.
    expect(openRoute({ view: 'diff', a: null, b: null }, list, store)).toEqual({ view: 'diff', a: 1, b: 4 });
  });

  it('reopens the last selection, and drops runs deleted since', () => {
    const store = memoryStore();
    remember(store, { view: 'errors', id: 1 });
    remember(store, { view: 'embedding', id: 2 });
    remember(store, { view: 'compare', ids: [1, 3, 9] });
    remember(store, { view: 'diff', a: 3, b: 1 });
    expect(openRoute({ view: 'errors', id: null }, list, store)).toEqual({ view: 'errors', id: 1 });
    expect(openRoute({ view: 'embedding', id: null }, list, store)).toEqual({ view: 'embedding', id: 2 });
    expect(openRoute({ view: 'compare', ids: [] }, list, store)).toEqual({ view: 'compare', ids: [1, 3] });
    expect(openRoute({ view: 'diff', a: null, b: null }, list, store)).toEqual({ view: 'diff', a: 3, b: 1 });
    // A remembered run that was deleted gives way to the latest completed one.
    expect(openRoute({ view: 'errors', id: null }, list.filter((r) => r.id !== 1), store)).toEqual({ view: 'errors', id: 4 });
  });

  it('leaves an address that names its runs, and views without a selection, alone', () => {
    const store = memoryStore();
    expect(openRoute({ view: 'errors', id: 3 }, list, store)).toBeNull();
    expect(openRoute({ view: 'compare', ids: [1] }, list, store)).toBeNull();
    expect(openRoute({ view: 'runs' }, list, store)).toBeNull();
    expect(openRoute({ view: 'errors', id: null }, [], store)).toBeNull();
  });
});
