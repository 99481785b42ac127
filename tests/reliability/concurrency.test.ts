// Concurrency: a serve process trains two runs at once (concurrency 2) while this process hammers the same store
// through a second Workbench (its own SQLite connection: reads and note writes) and over the serve WebSocket.
// No call may fail with SQLITE_BUSY, and every run:epoch event must have its row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import type { RunInfo, RunStatus } from '../../src/shared/runs.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { startServeProcess, WireClient, type ServeProcess } from '../helpers/serve-process.js';

let dir: ReturnType<typeof tempDir>;
let datasetId: number;
let serve: ServeProcess;
beforeAll(async () => {
  dir = tempDir();
  const wb = new Workbench({ home: dir.path, sample: false });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  wb.close();
  serve = await startServeProcess(dir.path);
});
afterAll(async () => {
  await serve.stop();
  dir.remove();
});

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('two runs training while readers and writers hammer the store', () => {
  it('never fails with SQLITE_BUSY and loses no epoch', async () => {
    const client = await WireClient.connect(serve.port, serve.token);
    const reader = await WireClient.connect(serve.port, serve.token);
    const wb = new Workbench({ home: dir.path, sample: false });
    const errors: string[] = [];
    let ops = 0;
    try {
      await client.call('settings:set', { backend: 'wasm', concurrency: 2 });
      const running = new Set<number>();
      let maxRunning = 0;
      const finals = new Map<number, RunStatus>();
      client.on((e) => {
        if (e.type !== 'run:status') return;
        if (e.status === 'running') running.add(e.runId);
        else running.delete(e.runId);
        maxRunning = Math.max(maxRunning, running.size);
        if (['completed', 'failed', 'stopped', 'interrupted'].includes(e.status)) finals.set(e.runId, e.status);
      });
      const runs = await client.call<RunInfo[]>('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 4 }, seeds: [1, 2] });
      const ids = runs.map((r) => r.id);
      let finished = false;

      const direct = (async () => {
        for (let i = 0; !finished; i++) {
          try {
            await wb.call('runs:list', undefined);
            const id = ids[i % 2];
            await wb.call('runs:get', { id });
            await wb.call('datasets:images', { id: datasetId, offset: (i * 37) % 250, limit: 50 });
            await wb.call('runs:update', { id, notes: `hammered ${i}` });
            ops += 4;
          } catch (err) {
            errors.push(`direct: ${(err as Error).message}`);
          }
          await tick();
        }
      })();
      const remote = (async () => {
        for (let i = 0; !finished; i++) {
          for (const [method, args] of [
            ['runs:list', undefined],
            ['runs:get', { id: ids[i % 2] }],
            ['datasets:images', { id: datasetId, offset: (i * 53) % 250, limit: 50 }],
          ] as const) {
            const reply = await reader.request(method, args);
            if (!reply.ok) errors.push(`socket ${method}: ${reply.error.message}`);
            ops++;
          }
        }
      })();

      for (let t = 0; t < 1200 && finals.size < 2; t++) await new Promise((r) => setTimeout(r, 100));
      finished = true;
      await Promise.all([direct, remote]);

      expect(errors).toEqual([]);
      expect(ops).toBeGreaterThan(200);
      expect(Object.fromEntries(finals)).toEqual(Object.fromEntries(ids.map((id) => [id, 'completed'])));
      expect(maxRunning).toBe(2);
      const epochEvents = client.events.filter((e) => e.type === 'run:epoch');
      expect(epochEvents).toHaveLength(8);
      for (const e of epochEvents) {
        const row = wb.db.prepare('SELECT loss FROM epochs WHERE run_id = ? AND epoch = ?').get(e.runId, e.metrics.epoch) as { loss: number } | undefined;
        expect(row, `run ${e.runId} epoch ${e.metrics.epoch}`).toEqual({ loss: e.metrics.loss });
      }
      for (const id of ids) expect((await wb.call('runs:get', { id })).epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
      expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      client.close();
      reader.close();
      wb.close();
    }
  });
});
