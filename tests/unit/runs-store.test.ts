// The runs store under bursts of events (a sweep training many runs): status patches at once, the latest progress
// per run, one coalesced runs:list for the burst, answers arriving out of order, a run deleted mid-burst.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EpochMetrics, RunInfo, RunProgress, RunStatus } from '../../src/shared/runs.js';
import { mulberry32 } from '../../src/shared/random.js';
import { installFakeBridge, type FakeBridge } from '../mocks/fake-bridge.js';

const bridge: FakeBridge = installFakeBridge();
let RunsStore: typeof import('../../src/renderer/lib/runs.svelte.js').RunsStore;

beforeAll(async () => {
  ({ RunsStore } = await import('../../src/renderer/lib/runs.svelte.js'));
});

function run(id: number, status: RunStatus): RunInfo {
  return {
    id, datasetId: 1, preset: 'seed-lenet5', status, seed: id, backend: null, backendNote: null, workers: null, error: null, notes: '', tags: [], groupKey: null,
    sweepId: 1, prunedAt: null, createdAt: '2026-01-01T00:00:00Z', startedAt: null, endedAt: null, epochsPlanned: 3, epochsDone: 0, bestEpoch: null,
    bestValAcc: null, lastValAcc: null, imagesPerSecond: null, durationSeconds: 0, target: 'local', trainedBy: [], params: {},
  };
}

const progress = (runId: number, epoch: number, batch: number): RunProgress => ({
  runId, epoch, epochs: 3, batch, batches: 10, loss: 1 / (epoch * 10 + batch), acc: 0.5, imagesPerSecond: 400, etaSeconds: 9, lr: 1e-3, seconds: batch,
});
const metrics = (epoch: number): EpochMetrics => ({ epoch, loss: 0.3, acc: 0.9, valLoss: 0.4, valAcc: 0.88, lr: 1e-3, seconds: 5, imagesPerSecond: 400 });

/** The core's side: its runs, and runs:list answered at once or held until the test releases it. */
let core: Map<number, RunInfo>;
let held: (() => void)[];
let holdLists: boolean;
const lists = () => bridge.calls.filter((c) => c.name === 'runs:list').length;
const ids = (rows: RunInfo[]) => rows.map((r) => r.id);

beforeEach(() => {
  vi.useFakeTimers();
  bridge.calls.length = 0;
  core = new Map([1, 2, 3, 4, 5].map((id) => [id, run(id, 'running')]));
  held = [];
  holdLists = false;
  // Answers as the core does: the runs named, or the newest first, or a page; else every run in id order.
  bridge.handle('runs:list', (args) => {
    const { ids: only, newestFirst, offset = 0, limit } = (args ?? {}) as { ids?: number[]; newestFirst?: boolean; offset?: number; limit?: number };
    let rows = [...core.values()].filter((r) => !only || only.includes(r.id));
    if (newestFirst) rows.reverse();
    rows = rows.slice(offset, limit === undefined ? undefined : offset + limit);
    const snapshot = rows.map((r) => ({ ...r }));
    if (!holdLists) return snapshot;
    return new Promise((resolve) => held.push(() => resolve(snapshot)));
  });
  bridge.handle('runs:delete', (args) => {
    const { id } = args as { id: number };
    core.delete(id);
    bridge.emit({ type: 'run:changed', runId: id, deleted: true });
    return { id };
  });
});
afterEach(() => vi.useRealTimers());

async function started() {
  const store = new RunsStore();
  const stop = store.start();
  await vi.advanceTimersByTimeAsync(0);
  expect(ids(store.list)).toEqual([1, 2, 3, 4, 5]);
  return { store, stop };
}

describe('RunsStore under a burst of events', () => {
  it('keeps each run’s latest progress, patches statuses at once and refreshes the table once for the burst', async () => {
    const { store, stop } = await started();
    const before = lists();
    // 3 epochs × 10 batches for each of 5 runs, the runs interleaved in a shuffled order; each run's own events in
    // the order its trainer sent them.
    const queues = [1, 2, 3, 4, 5].map((id) => {
      const events: (() => void)[] = [];
      for (let epoch = 1; epoch <= 3; epoch++) {
        for (let batch = 1; batch <= 10; batch++) events.push(() => bridge.emit({ type: 'run:progress', progress: progress(id, epoch, batch) }));
        events.push(() => bridge.emit({ type: 'run:epoch', runId: id, metrics: metrics(epoch) }));
      }
      return events;
    });
    const random = mulberry32(7);
    let emitted = 0;
    while (queues.some((q) => q.length)) {
      const live = queues.filter((q) => q.length);
      live[Math.floor(random() * live.length)].shift()!();
      emitted++;
      if (emitted === 60) {
        // Run 3 finishes early and a queued trial (run 6) appears, both mid-burst.
        core.set(3, { ...core.get(3)!, status: 'completed', epochsDone: 3 });
        bridge.emit({ type: 'run:status', runId: 3, status: 'completed', error: null });
        core.set(6, run(6, 'queued'));
        bridge.emit({ type: 'run:status', runId: 6, status: 'queued', error: null });
        queues[2].length = 0; // its trainer has exited: nothing more from run 3
        expect(store.list.find((r) => r.id === 3)?.status).toBe('completed');
        expect(store.progressOf(3)).toBeUndefined();
      }
    }
    expect(emitted).toBeGreaterThan(120);
    // The core's events arrived synchronously: no refresh yet, however many events.
    expect(lists()).toBe(before);
    for (const id of [1, 2, 4, 5]) expect(store.progressOf(id)).toMatchObject({ runId: id, epoch: 3, batch: 10 });

    await vi.advanceTimersByTimeAsync(400);
    expect(lists()).toBe(before + 1);
    expect(ids(store.list)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.list.find((r) => r.id === 3)?.status).toBe('completed');
    await vi.advanceTimersByTimeAsync(5000);
    expect(lists()).toBe(before + 1);
    stop();
  });

  it('shows a new run promptly when the table does not know it yet', async () => {
    const { store, stop } = await started();
    core.set(7, run(7, 'queued'));
    bridge.emit({ type: 'run:status', runId: 7, status: 'queued', error: null });
    await vi.advanceTimersByTimeAsync(60);
    expect(ids(store.list)).toContain(7);
    stop();
  });

  it('keeps the newer table when an older runs:list answers after it', async () => {
    const { store, stop } = await started();
    holdLists = true;
    const older = store.load();
    core.set(4, { ...core.get(4)!, status: 'failed', error: 'trainer exited' });
    const newer = store.load();
    held[1]();
    await newer;
    held[0]();
    await older;
    expect(store.list.find((r) => r.id === 4)).toMatchObject({ status: 'failed', error: 'trainer exited' });
    stop();
  });

  it('drops a run deleted mid-burst, even when a table fetched before the delete answers after it', async () => {
    const { store, stop } = await started();
    bridge.emit({ type: 'run:epoch', runId: 2, metrics: metrics(1) });
    holdLists = true;
    await vi.advanceTimersByTimeAsync(400); // the burst's refresh is on its way, with run 2 in it
    expect(held).toHaveLength(1);
    await store.remove(2);
    expect(ids(store.list)).toEqual([1, 3, 4, 5]);
    bridge.emit({ type: 'run:progress', progress: progress(2, 1, 3) }); // the stopping trainer's last words
    held.forEach((release) => release()); // the old table answers first, then the one asked for after the delete
    held = [];
    holdLists = false;
    await vi.advanceTimersByTimeAsync(0);
    expect(ids(store.list)).toEqual([1, 3, 4, 5]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids(store.list)).toEqual([1, 3, 4, 5]);
    stop();
  });

  it('drops a run another client deleted (the CLI, another window)', async () => {
    const { store, stop } = await started();
    core.delete(5);
    bridge.emit({ type: 'run:changed', runId: 5, deleted: true });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids(store.list)).toEqual([1, 2, 3, 4]);
    stop();
  });
});
