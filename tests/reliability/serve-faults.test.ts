// App faults in serve mode: the serve process SIGKILLed while a run it started (over its WebSocket) trains. Its
// trainer goes too; the next process to open the store sees the run `interrupted` with every epoch the socket
// announced, and resume continues from the last checkpoint to `completed`. The run is held at the epoch gate after
// epoch 2 until the kill, so it is mid-run however fast its epochs are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadCheckpoint } from '../../src/core/training/runs-repo.js';
import type { RunInfo } from '../../src/shared/runs.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { childPids, startServeProcess, WireClient } from '../helpers/serve-process.js';
import { isAlive, sleep } from '../helpers/tracked-trainers.js';
import { EpochGate } from '../helpers/epoch-gate.js';

let dir: ReturnType<typeof tempDir>;
let datasetId: number;
const gate = new EpochGate();
beforeAll(async () => {
  dir = tempDir();
  const wb = new Workbench({ home: dir.path, sample: false });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  wb.close();
});
afterAll(() => {
  dir.remove();
  gate.remove();
});

describe('killing the serve process during a run it started', () => {
  it('leaves the run interrupted with its epochs, and resume completes it from the checkpoint', async () => {
    const serve = await startServeProcess(dir.path, { env: gate.env });
    gate.close();
    const stopReleasing = gate.releaseWhere((h) => h.epoch < 2);
    const announced: number[] = [];
    let trainerPids: number[] = [];
    let runId: number;
    try {
      const client = await WireClient.connect(serve.port, serve.token);
      await client.call('settings:set', { backend: 'wasm' });
      const reachedTwo = new Promise<void>((resolve) =>
        client.on((e) => {
          if (e.type === 'run:epoch') {
            announced.push(e.metrics.epoch);
            if (e.metrics.epoch === 2) resolve();
          }
        }),
      );
      [{ id: runId }] = await client.call<RunInfo[]>('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 6 } });
      await reachedTwo;
      await gate.waitHeld('the run after epoch 2', (h) => h.runId === runId && h.epoch === 2);
      trainerPids = await childPids(serve.child.pid!);
      expect(trainerPids.length).toBeGreaterThanOrEqual(1);
      serve.child.kill('SIGKILL');
      await new Promise((r) => serve.child.once('exit', r));
      client.close();
    } finally {
      stopReleasing();
      gate.open();
      await serve.stop();
    }
    // The orphaned trainer notices its parent is gone and exits: it must not train on.
    for (let i = 0; i < 50 && trainerPids.some(isAlive); i++) await sleep(100);
    expect(trainerPids.filter(isAlive)).toEqual([]);

    const wb = new Workbench({ home: dir.path, sample: false, backend: 'wasm', workers: 1 });
    try {
      const run = await wb.call('runs:get', { id: runId! });
      expect(run.status).toBe('interrupted');
      expect(run.error).toMatch(/ended before it finished/);
      const stored = run.epochs.map((e) => e.epoch);
      for (const epoch of announced) expect(stored).toContain(epoch);
      expect(stored).toEqual(stored.map((_, k) => k + 1));
      expect(stored).toEqual([1, 2]); // held after epoch 2 until the kill
      expect(loadCheckpoint(wb.db, run.id, 'last')?.epoch).toBe(stored.length);
      expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');

      await wb.call('runs:resume', { id: run.id });
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
      const done = await wb.call('runs:get', { id: run.id });
      expect(done.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      // The epochs stored before the crash were kept as they were, not retrained.
      expect(done.epochs.slice(0, stored.length)).toEqual(run.epochs);
    } finally {
      wb.close();
    }
  });
});
