// runs:list with 5,000 runs in a real SQLite store: pages, ids and the summary figures the epochs' triggers keep
// agree with the epochs themselves; the table's sort and filters (hyperparameter comparisons too) pick exactly the
// right runs; and the whole list stays small on serve mode's WebSocket.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src/core/workbench.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import { paramSummary } from '../../src/core/training/runs-list.js';
import { persistCheckpoint, trimAfter } from '../../src/core/training/runs-repo.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { bestEpoch, type EpochMetrics, type RunInfo } from '../../src/shared/runs.js';
import type { Hyperparams } from '../../src/shared/hyperparams.js';
import { flatten } from '../../src/shared/hyperparams-flat.js';
import { presets } from '../../src/core/training/presets.js';
import { runFilter, sortRuns } from '../../src/renderer/lib/run-columns.js';
import { seedRuns } from '../bench/seed-runs.js';
import { tempDir } from '../helpers/temp-home.js';

const COUNT = 5000;
let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let all: RunInfo[];

beforeAll(() => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, sample: false });
  wb.db.prepare("INSERT INTO datasets (name, kind, rows, sha256, source, created_at) VALUES ('digits', 'train', 100, 'abc', 'digits.csv', 'now')").run();
  seedRuns(wb.db, { count: COUNT, datasetId: 1, datasetSha256: 'abc', resolve: resolveHyperparams, summary: paramSummary, seed: 3 });
  // Runs from before migration 009 have no stored summary: these get theirs on the first listing.
  wb.db.prepare('UPDATE runs SET param_summary = NULL WHERE id % 7 = 0').run();
}, 180_000);
afterAll(() => {
  wb?.close();
  dir?.remove();
});

/** What each run's figures must be, computed from its epochs and hyperparams here (not by the triggers). */
function expected(): Map<number, { epochs: EpochMetrics[]; hp: Hyperparams; preset: string }> {
  const out = new Map<number, { epochs: EpochMetrics[]; hp: Hyperparams; preset: string }>();
  for (const r of wb.db.prepare('SELECT id, preset, hyperparams FROM runs').all() as { id: number; preset: string; hyperparams: string }[]) {
    out.set(r.id, { epochs: [], hp: JSON.parse(r.hyperparams) as Hyperparams, preset: r.preset });
  }
  const rows = wb.db.prepare('SELECT run_id, epoch, val_acc, val_loss, seconds, images_per_second FROM epochs ORDER BY run_id, epoch').all() as {
    run_id: number; epoch: number; val_acc: number | null; val_loss: number | null; seconds: number; images_per_second: number;
  }[];
  for (const e of rows) {
    out.get(e.run_id)!.epochs.push({ epoch: e.epoch, valAcc: e.val_acc, valLoss: e.val_loss, seconds: e.seconds, imagesPerSecond: e.images_per_second, loss: 0, acc: 0, lr: 0 });
  }
  return out;
}

describe('runs:list with 5,000 runs', () => {
  it('lists every run in id order with figures equal to its epochs’ and its hyperparameters summarised', async () => {
    all = await wb.call('runs:list', undefined);
    expect(all).toHaveLength(COUNT);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => a - b));
    const want = expected();
    for (const run of all) {
      const { epochs, hp, preset } = want.get(run.id)!;
      const best = bestEpoch(epochs);
      expect(run.epochsDone).toBe(epochs.length);
      expect(run.epochsPlanned).toBe(hp.epochs);
      expect(run.bestEpoch).toBe(best?.epoch ?? null);
      expect(run.bestValAcc).toBe(best?.valAcc ?? null);
      expect(run.lastValAcc).toBe(epochs.at(-1)?.valAcc ?? null);
      expect(run.durationSeconds).toBeCloseTo(epochs.reduce((s, e) => s + e.seconds, 0), 9);
      if (epochs.length) expect(run.imagesPerSecond!).toBeCloseTo(epochs.reduce((s, e) => s + e.imagesPerSecond, 0) / epochs.length, 6);
      // The summary holds exactly the flattened settings that differ from the preset (seed and model aside).
      const base = flatten(presets[preset as keyof typeof presets].hyperparams);
      const own = flatten({ ...hp, seed: undefined, model: undefined });
      expect(run.params).toEqual(Object.fromEntries(Object.entries(own).filter(([k, v]) => base[k] !== v)));
    }
    // The runs summarised on that listing kept their summary for the next one.
    expect(wb.db.prepare('SELECT COUNT(*) FROM runs WHERE param_summary IS NULL').pluck().get()).toBe(0);
    // One run agrees with its own page.
    const one = all[1234];
    expect(await wb.call('runs:get', { id: one.id })).toMatchObject({
      ...one,
      durationSeconds: expect.closeTo(one.durationSeconds, 9),
      imagesPerSecond: one.imagesPerSecond === null ? null : expect.closeTo(one.imagesPerSecond, 6),
    });
  });

  it('pages: offset and limit walk the same list without gaps or repeats; ids give just those runs', async () => {
    const pages: RunInfo[] = [];
    for (let offset = 0; offset < COUNT + 700; offset += 700) pages.push(...(await wb.call('runs:list', { offset, limit: 700 })));
    expect(pages.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(await wb.call('runs:list', { offset: COUNT })).toEqual([]);
    expect((await wb.call('runs:list', { limit: 3 })).map((r) => r.id)).toEqual(all.slice(0, 3).map((r) => r.id));
    // The table's first screen: the newest runs, newest first.
    expect(await wb.call('runs:list', { limit: 100, newestFirst: true })).toEqual(all.slice(-100).reverse());
    const ids = [all[4000].id, all[7].id, 999_999, all[2500].id];
    expect(await wb.call('runs:list', { ids })).toEqual([all[7], all[2500], all[4000]]);
    await expect(wb.call('runs:list', { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('keeps the figures true when epochs are replaced, trimmed or added', async () => {
    const run = all.find((r) => r.epochsDone >= 5)!;
    const blob = { epoch: 2, weights: new Uint8Array(4), optimizer: new Uint8Array(4), state: {} as never };
    // Epoch 2 replaced by a better one: it becomes the best.
    persistCheckpoint(wb.db, run.id, { epoch: 2, loss: 0.1, acc: 0.99, valLoss: 0.001, valAcc: 0.99995, lr: 1e-3, seconds: 1000, imagesPerSecond: 1 }, ['last'], blob);
    let [now] = await wb.call('runs:list', { ids: [run.id] });
    expect(now).toMatchObject({ bestEpoch: 2, bestValAcc: 0.99995, epochsDone: run.epochsDone });
    expect(now.durationSeconds).toBeGreaterThan(run.durationSeconds + 900);
    trimAfter(wb.db, run.id, 1);
    [now] = await wb.call('runs:list', { ids: [run.id] });
    expect(now.epochsDone).toBe(1);
    expect(now.bestEpoch).toBe(1);
    // A tie on val accuracy goes to the lower val loss, then to the earlier epoch (isBetterEpoch).
    const first = now.bestValAcc!;
    persistCheckpoint(wb.db, run.id, { epoch: 2, loss: 0.1, acc: 0.9, valLoss: 99, valAcc: first, lr: 1e-3, seconds: 1, imagesPerSecond: 1 }, ['last'], blob);
    [now] = await wb.call('runs:list', { ids: [run.id] });
    expect(now).toMatchObject({ epochsDone: 2, bestEpoch: 1, lastValAcc: first });
  });

  it('the table’s filters and sorts pick exactly the right runs', () => {
    const want = expected();
    const defaults = (preset: string) => flatten(presets[preset as keyof typeof presets].hyperparams);
    const name = () => 'digits';
    const pickBy = (text: string) => all.filter(runFilter(text, name, defaults)).map((r) => r.id);
    const effective = (id: number) => want.get(id)!.hp;

    const big = pickBy('batchSize=256');
    expect(big.length).toBeGreaterThan(50);
    expect(big).toEqual(all.filter((r) => effective(r.id).batchSize === 256).map((r) => r.id));
    // The preset's own value counts: seed-lenet5 trains with batch 32 unless told otherwise.
    expect(pickBy('batchsize=32')).toEqual(all.filter((r) => effective(r.id).batchSize === 32).map((r) => r.id));
    expect(pickBy('learningRate<0.0005')).toEqual(all.filter((r) => effective(r.id).learningRate < 0.0005).map((r) => r.id));
    expect(pickBy('rotation>=10')).toEqual(all.filter((r) => (effective(r.id).augmentation?.rotation ?? -1) >= 10).map((r) => r.id));
    expect(pickBy('optimizer=sgd dnn')).toEqual(all.filter((r) => effective(r.id).optimizer === 'sgd' && r.preset === 'dnn').map((r) => r.id));
    expect(pickBy('lr-test failed')).toEqual(all.filter((r) => r.tags.includes('lr-test') && r.status === 'failed').map((r) => r.id));
    expect(pickBy('batchSize=256').length).toBeLessThan(COUNT);

    const byBest = sortRuns(all, 'bestValAcc', -1, name);
    const scored = byBest.filter((r) => r.bestValAcc !== null);
    expect(scored.every((r, i) => i === 0 || scored[i - 1].bestValAcc! >= r.bestValAcc!)).toBe(true);
    // Runs without a validated epoch go last in either direction.
    expect(byBest.slice(scored.length).every((r) => r.bestValAcc === null)).toBe(true);
    expect(sortRuns(all, 'bestValAcc', 1, name).slice(scored.length).every((r) => r.bestValAcc === null)).toBe(true);
    expect(sortRuns(all, 'id', 1, name).map((r) => r.id)).toEqual(all.map((r) => r.id));
  });

  it('stays small on serve mode’s WebSocket: under 1 MB for 5,000 runs, and under 800 bytes a run as JSON', async () => {
    const web = join(dir.path, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Digit Workbench</title>');
    const server: RunningServer = await startServer({ wb, webRoot: web });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      const socket = (ws as unknown as { _socket: { bytesRead: number } })._socket;
      const before = socket.bytesRead;
      const text = await new Promise<string>((resolve) => {
        ws.on('message', (data) => resolve(String(data)));
        ws.send(JSON.stringify({ id: 1, method: 'runs:list' }));
      });
      const wire = socket.bytesRead - before;
      ws.terminate();
      const reply = JSON.parse(text) as { ok: boolean; result: RunInfo[] };
      expect(reply.result).toHaveLength(COUNT);
      // The table's columns and the changed hyperparameters only: ~630 B a run. Epochs (~30 × 150 B) or whole
      // hyperparameters (a cnn-strong model alone is ~1.5 kB) in the list would break this bound.
      expect(Buffer.byteLength(text) / COUNT).toBeLessThan(800);
      // Deflated on the socket (about seven to one): 200 B a run.
      expect(wire).toBeLessThan(1_000_000);
    } finally {
      await server.close();
    }
  });
});
