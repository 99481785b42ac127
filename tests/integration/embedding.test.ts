// The embedding map with a real trainer process on real digits: the penultimate layer's UMAP comes back with its
// progress, is stored per run and parameters (reopened without a trainer), is the same for the same seed, separates
// the classes of a trained LeNet-5, and the CLI prints it as documented or refuses clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { queueRuns } from '../../src/core/training/start.js';
import { separationRatio, type EmbeddingMap } from '../../src/shared/embedding.js';
import type { WorkbenchEvent } from '../../src/shared/events.js';
import { mulberry32, shuffleInPlace } from '../../src/shared/random.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { runCli } from '../helpers/cli-process.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let small: number;
let runId: number;
let sampleRun: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  small = await importSmallTrainSet(wb, dir.path, 600);
  const sample = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-train')!;
  const [a] = await wb.call('runs:start', { datasetId: small, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
  const [b] = await wb.call('runs:start', { datasetId: sample.id, preset: 'seed-lenet5', hyperparams: { epochs: 2 } });
  runId = a.id;
  sampleRun = b.id;
  expect(await wb.runs.waitFor(runId)).toBe('completed');
  expect(await wb.runs.waitFor(sampleRun)).toBe('completed');
}, 180_000);
afterAll(() => {
  wb.close();
  dir.remove();
});

const coords = (m: EmbeddingMap) => m.points.flatMap((p) => [p.x, p.y]);

describe('embedding map', () => {
  it('places every validation digit, reports its stages, and is stored for reopening without a trainer', async () => {
    expect(await wb.call('embedding:get', { id: runId })).toBeNull();
    const events: Extract<WorkbenchEvent, { type: 'embedding:progress' }>[] = [];
    const off = wb.on((e) => e.type === 'embedding:progress' && events.push(e));
    const map = await wb.call('embedding:compute', { id: runId, neighbors: 10, seed: 5 });
    off();
    // The seed notebook's split: the last 10% of the 600 rows.
    expect(map.points.map((p) => p.idx)).toEqual(Array.from({ length: 60 }, (_, i) => 540 + i));
    const labels = loadDatasetArrays(wb.db, small).labels!;
    for (const p of map.points) {
      expect(p.label).toBe(labels[p.idx]);
      expect(p.predicted).toBe(p.probs.indexOf(Math.max(...p.probs)));
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expect(p.pixels.length).toBe(1048);
    }
    expect(map).toMatchObject({ runId, epoch: 1, neighbors: 10, seed: 5, width: 84, backend: 'wasm' });
    expect(new Set(map.points.map((p) => `${p.x},${p.y}`)).size).toBe(60);
    // Stages in order, the layout counting UMAP's epochs up to its total.
    expect([...new Set(events.map((e) => e.stage))]).toEqual(['activations', 'neighbours', 'layout']);
    const layout = events.filter((e) => e.stage === 'layout');
    expect(layout.length).toBeGreaterThan(10);
    expect(layout.at(-1)!.done).toBe(layout.at(-1)!.total);
    expect(layout.every((e, i) => i === 0 || e.done > layout[i - 1].done)).toBe(true);

    // Another process on the same folder whose trainers cannot start still opens the map.
    const reader = new Workbench({ home: dir.path, spawnTrainer: () => { throw new Error('no trainer may start'); } });
    try {
      expect(await reader.call('embedding:get', { id: runId, neighbors: 10, seed: 5 })).toEqual(map);
      expect(await reader.call('embedding:get', { id: runId })).toEqual(map); // the latest computed
      expect(await reader.call('embedding:get', { id: runId, neighbors: 10, seed: 6 })).toBeNull();
    } finally {
      reader.close();
    }
  }, 60_000);

  it('gives identical coordinates for the same run and seed, and another layout for another seed', async () => {
    const first = await wb.call('embedding:compute', { id: runId, seed: 3 });
    const again = await wb.call('embedding:compute', { id: runId, seed: 3 });
    const other = await wb.call('embedding:compute', { id: runId, seed: 4 });
    expect(coords(again)).toEqual(coords(first));
    expect(coords(other)).not.toEqual(coords(first));
    expect(wb.db.prepare('SELECT COUNT(*) FROM embeddings WHERE run_id = ? AND seed = 3').pluck().get(runId)).toBe(1);
  }, 90_000);

  it('separates the classes of a LeNet-5 trained on the sample', async () => {
    const map = await wb.call('embedding:compute', { id: sampleRun });
    expect(map.points).toHaveLength(800);
    const ratio = separationRatio(map.points);
    expect(ratio).toBeLessThan(0.5);
    // The measure itself can fail: the same points under shuffled labels show no structure.
    const shuffled = shuffleInPlace(map.points.map((p) => p.label), mulberry32(9));
    expect(separationRatio(map.points.map((p, i) => ({ ...p, label: shuffled[i] })))).toBeGreaterThan(0.9);
    // A trained model's misclassified digits are few, and they are the ones highlighted.
    const wrong = map.points.filter((p) => p.label !== p.predicted).length;
    expect(wrong).toBeGreaterThan(0);
    expect(wrong).toBeLessThan(map.points.length * 0.15);
  }, 120_000);

  it('refuses an unknown run, a run without weights and more neighbours than digits, by name', async () => {
    await expect(wb.call('embedding:compute', { id: 999 })).rejects.toThrow(/no run with id 999/);
    await expect(wb.call('embedding:get', { id: 999 })).rejects.toThrow(/no run with id 999/);
    await expect(wb.call('embedding:compute', { id: runId, neighbors: 60 })).rejects.toThrow(/60 validation digits: a map with 60 neighbours needs more/);
    await expect(wb.call('embedding:compute', { id: runId, neighbors: 1 })).rejects.toThrow(/neighbors/);
    const [queued] = queueRuns(wb.db, { datasetId: small, preset: 'seed-lenet5' });
    await expect(wb.call('embedding:compute', { id: queued })).rejects.toThrow(new RegExp(`run ${queued} \\(queued\\) has no best weights yet`));
    expect(await wb.call('embedding:get', { id: queued })).toBeNull();
    wb.db.prepare('DELETE FROM runs WHERE id = ?').run(queued);
  });
});

describe('digit-workbench embedding', () => {
  it('--json prints {runId, points: [{row, x, y, label, predicted}]} with 1-based rows, the stored map', async () => {
    const stored = await wb.call('embedding:compute', { id: runId, neighbors: 8, seed: 2 });
    const r = await runCli(dir.path, ['embedding', String(runId), '--neighbors', '8', '--seed', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: number; points: Record<string, number>[] };
    expect(Object.keys(out)).toEqual(['runId', 'points']);
    expect(out.runId).toBe(runId);
    expect(out.points).toEqual(stored.points.map((p) => ({ row: p.idx + 1, x: p.x, y: p.y, label: p.label, predicted: p.predicted })));
    expect(out.points[0].row).toBe(541);
  });

  it('computes with progress on stderr and prints a summary', async () => {
    const r = await runCli(dir.path, ['embedding', String(runId), '--neighbors', '12', '--seed', '7', '--recompute']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('penultimate-layer activations of the validation digits…');
    expect(r.stderr).toContain('UMAP layout…');
    expect(r.stdout).toMatch(new RegExp(`run ${runId} \\(best weights, epoch 1\\) · 60 validation digits, \\d+ misclassified · penultimate layer 84 units · UMAP 12 neighbours, seed 7`));
    expect(r.stdout).toMatch(/same-label \/ other-label mean distance \d\.\d{3}/);
    expect((await wb.call('embedding:get', { id: runId, neighbors: 12, seed: 7 }))?.points).toHaveLength(60);
  }, 60_000);

  it('refuses bad input with a message naming it', async () => {
    const unknown = await runCli(dir.path, ['embedding', '999', '--json']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('no run with id 999');
    const notId = await runCli(dir.path, ['embedding', 'latest']);
    expect(notId.code).toBe(2);
    expect(notId.stderr).toContain('"latest" is not a run id');
    const neighbors = await runCli(dir.path, ['embedding', String(runId), '--neighbors', 'many']);
    expect(neighbors.code).toBe(2);
    expect(neighbors.stderr).toContain('--neighbors must be a whole number');
    const [queued] = queueRuns(wb.db, { datasetId: small, preset: 'seed-lenet5' });
    const noWeights = await runCli(dir.path, ['embedding', String(queued)]);
    expect(noWeights.code).toBe(1);
    expect(noWeights.stderr).toContain(`run ${queued} (queued) has no best weights yet`);
    wb.db.prepare('DELETE FROM runs WHERE id = ?').run(queued);
  }, 60_000);
});
