// The run page's live state: Elapsed and the backend move during a run, and the charts it draws from live events
// are the charts a reload draws from the stored run (one function, runSeries).
import { beforeAll, describe, expect, it } from 'vitest';
import type { EpochMetrics, RunDetail, RunProgress } from '../../src/shared/runs.js';
import { installFakeBridge, type FakeBridge } from '../mocks/fake-bridge.js';

const bridge: FakeBridge = installFakeBridge();
let RunPage: typeof import('../../src/renderer/lib/run-page.svelte.js').RunPage;
let runSeries: typeof import('../../src/renderer/lib/run-series.js').runSeries;

beforeAll(async () => {
  ({ RunPage } = await import('../../src/renderer/lib/run-page.svelte.js'));
  ({ runSeries } = await import('../../src/renderer/lib/run-series.js'));
});

const RUN_ID = 7;
const BATCHES = 4;

function epochMetrics(epoch: number): EpochMetrics {
  // A running mean over the epoch's batches: what the trainer stores as the epoch's loss and accuracy.
  const losses = [1, 2, 3, 4].map((b) => 2 / (epoch * 4 + b));
  return { epoch, loss: losses.reduce((a, b) => a + b) / 4, acc: 1 - losses.reduce((a, b) => a + b) / 8, valLoss: 0.5 / epoch, valAcc: 0.8 + epoch / 100, lr: 0.001, seconds: 3, imagesPerSecond: 500 };
}

function progressAt(epoch: number, batch: number): RunProgress {
  const losses = [1, 2, 3, 4].slice(0, batch).map((b) => 2 / (epoch * 4 + b));
  const loss = losses.reduce((a, b) => a + b) / batch;
  return { runId: RUN_ID, epoch, epochs: 3, batch, batches: BATCHES, loss, acc: 1 - loss / 2, imagesPerSecond: 500, etaSeconds: 5, lr: 0.001, seconds: batch * 0.75 };
}

function detail(status: RunDetail['status'], epochs: EpochMetrics[], backend: string | null = null): RunDetail {
  return {
    id: RUN_ID, datasetId: 1, preset: 'seed-lenet5', status, seed: 1, backend, workers: backend ? 1 : null, target: 'local', trainedBy: [], params: {}, epochWorkers: [], lineage: null, sweepId: null, prunedAt: null, backendNote: null, error: null, notes: '', tags: [], groupKey: null,
    createdAt: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:00Z', endedAt: null, epochsPlanned: 3, epochsDone: epochs.length,
    bestEpoch: null, bestValAcc: null, lastValAcc: null, imagesPerSecond: null, durationSeconds: epochs.reduce((s, e) => s + e.seconds, 0),
    hyperparams: {} as RunDetail['hyperparams'], summary: null, datasetSha256: 'x', appVersion: '0', epochs,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('RunPage live state', () => {
  it('shows the backend and the elapsed time while the run trains', async () => {
    bridge.handle('runs:get', () => detail('running', []));
    const page = new RunPage(RUN_ID);
    const stop = page.start();
    await flush();
    expect(page.detail?.backend).toBeNull();
    bridge.emit({ type: 'run:started', runId: RUN_ID, backend: 'wasm', backendNote: "tensorflow: Cannot find package '@tensorflow/tfjs-node'" });
    expect(page.detail?.backend).toBe('wasm');
    bridge.emit({ type: 'run:progress', progress: progressAt(1, 2) });
    expect(page.elapsed).toBe(1.5);
    bridge.emit({ type: 'run:epoch', runId: RUN_ID, metrics: epochMetrics(1) });
    expect(page.elapsed).toBe(3);
    bridge.emit({ type: 'run:progress', progress: progressAt(2, 1) });
    expect(page.elapsed).toBe(3.75);
    stop();
  });

  it('reads the stored detail again when the trainer starts: the worker count and lineage come without a reload', async () => {
    let stored = detail('queued', []);
    bridge.handle('runs:get', () => stored);
    const page = new RunPage(RUN_ID);
    const stop = page.start();
    await flush();
    expect(page.detail?.workers).toBeNull();
    // The trainer recorded its backend, workers and lineage, then the core announced the start.
    stored = { ...detail('running', [], 'native'), workers: 2, lineage: { appVersion: '0' } as RunDetail['lineage'] };
    bridge.emit({ type: 'run:started', runId: RUN_ID, backend: 'native', backendNote: null });
    expect(page.detail?.backend).toBe('native');
    await flush();
    expect(page.detail?.workers).toBe(2);
    expect(page.detail?.lineage).not.toBeNull();
    // An epoch that arrived live is kept (the reload reads only the detail).
    bridge.emit({ type: 'run:epoch', runId: RUN_ID, metrics: epochMetrics(1) });
    expect(page.epochs.map((e) => e.epoch)).toEqual([1]);
    stop();
  });

  it('draws the same series live as after a reload, with no jump at an epoch boundary and no partial epoch after Stop', async () => {
    const stored: EpochMetrics[] = [];
    bridge.handle('runs:get', () => detail('running', [...stored]));
    const page = new RunPage(RUN_ID);
    const stop = page.start();
    await flush();
    for (const epoch of [1, 2]) {
      for (let b = 1; b <= BATCHES; b++) {
        bridge.emit({ type: 'run:progress', progress: progressAt(epoch, b) });
        // One provisional point beyond the stored epochs, never two points at one x.
        const xs = page.series.loss.map((p) => p.x);
        expect(new Set(xs).size).toBe(xs.length);
        expect(xs.at(-1)).toBeCloseTo(epoch - 1 + b / BATCHES);
      }
      // At the epoch's last batch the provisional point is where the stored epoch lands: no vertical step.
      const beforeEpoch = page.series.loss.at(-1)!;
      stored.push(epochMetrics(epoch));
      bridge.emit({ type: 'run:epoch', runId: RUN_ID, metrics: epochMetrics(epoch) });
      expect(page.series.loss.at(-1)!.x).toBe(beforeEpoch.x);
      expect(page.series.loss.at(-1)!.y).toBeCloseTo(beforeEpoch.y, 12);
    }
    // Half of epoch 3, then Stop: the partial epoch goes, as a reload would show it.
    bridge.emit({ type: 'run:progress', progress: progressAt(3, 2) });
    expect(page.series.loss).toHaveLength(3);
    bridge.handle('runs:get', () => detail('stopped', [...stored]));
    bridge.emit({ type: 'run:status', runId: RUN_ID, status: 'stopped', error: null });
    await flush();
    const live = page.series;
    stop();

    const reloaded = new RunPage(RUN_ID);
    const stopReloaded = reloaded.start();
    await flush();
    expect(reloaded.series).toEqual(live);
    expect(live).toEqual(runSeries(stored, null));
    expect(live.loss.map((p) => p.x)).toEqual([1, 2]);
    stopReloaded();
  });
});
