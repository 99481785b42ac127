// A sweep through the Workbench: stopped while its first trial trains, resumed from that trial's checkpoint, ends
// with its whole budget; the detail carries importance and the best-vs-runner-up comparison. A trial pruned after
// it had finished reads the same everywhere. Runs that must be caught mid-run are held at the epoch gate.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { markPruned } from '../../src/core/sweeps/sweeps-repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { EpochGate } from '../helpers/epoch-gate.js';
import { runCli } from '../helpers/cli-process.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
// Trainer processes inherit the environment: every run of this file passes the gate, held only while it is closed.
const gate = new EpochGate();
Object.assign(process.env, gate.env);

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, sample: false });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
});
afterEach(() => gate.open());
afterAll(() => {
  wb.close();
  dir.remove();
  for (const key of Object.keys(gate.env)) delete process.env[key];
  gate.remove();
});

describe('sweeps', () => {
  it('stops, resumes and finishes; the same seed proposes the same trials', async () => {
    const args = { datasetId, preset: 'seed-lenet5', params: ['batchSize=16..64', 'learningRate=log:1e-3..1e-2', 'epochs=2'], trials: 3, search: 'random' as const, seed: 9 };
    const firstEpoch = new Promise<void>((resolve) => {
      const off = wb.on((e) => {
        if (e.type === 'run:epoch') {
          off();
          resolve();
        }
      });
    });
    gate.close(); // the first trial waits after epoch 1 until the stop reaches it
    const sweep = await wb.call('sweeps:start', args);
    expect(sweep).toMatchObject({ status: 'running', search: 'random', seed: 9, trials: 3, prune: null });
    await firstEpoch;
    expect((await wb.call('sweeps:stop', { id: sweep.id })).status).toBe('stopped');
    const stopped = await wb.sweeps.waitFor(sweep.id);
    expect(stopped.status).toBe('stopped');
    let detail = await wb.call('sweeps:get', { id: sweep.id });
    expect(detail.trialList.map((t) => t.status)).toEqual(['stopped']);
    expect(detail.trialList[0].epochsDone).toBe(1);
    gate.open();

    await wb.call('sweeps:resume', { id: sweep.id });
    expect((await wb.sweeps.waitFor(sweep.id)).status).toBe('completed');
    detail = await wb.call('sweeps:get', { id: sweep.id });
    expect(detail.trialList.map((t) => [t.status, t.epochsDone])).toEqual([['completed', 2], ['completed', 2], ['completed', 2]]);
    expect(detail.dimensions.map((d) => d.key)).toEqual(['batchSize', 'learningRate']);
    // Three trials cannot split the variance between two parameters: each is "too few trials" (or "never varied").
    expect(detail.importance.map((p) => [p.importance, p.verdict === 'measured'])).toEqual([[null, false], [null, false]]);
    expect(detail.comparison).toMatchObject({ noiseSource: 'binomial' });
    expect(detail.valSize).toBe(30);
    expect(detail.comparison!.noise).toBeGreaterThan(0);

    // Random search with the same seed repeats its points (no results feed random proposals).
    const again = await wb.call('sweeps:start', { ...args, trials: 1 });
    await wb.sweeps.waitFor(again.id);
    const second = await wb.call('sweeps:get', { id: again.id });
    expect(second.trialList[0].params).toEqual(detail.trialList[0].params);
    expect((await wb.call('sweeps:list', undefined)).map((s) => s.id)).toEqual([sweep.id, again.id]);
  });

  it('closing the process interrupts its sweep without proposing a trial; resume continues it', async () => {
    const other = tempDir();
    let mine = new Workbench({ home: other.path, sample: false });
    try {
      const ds = await importSmallTrainSet(mine, other.path, 300);
      const epoch = new Promise<void>((resolve) => mine.on((e) => e.type === 'run:epoch' && resolve()));
      gate.close(); // the first trial waits after epoch 1 until its process closes
      const sweep = await mine.call('sweeps:start', { datasetId: ds, preset: 'seed-lenet5', params: ['batchSize=32,64', 'epochs=2'], search: 'grid' });
      await epoch;
      mine.close();
      gate.open();
      mine = new Workbench({ home: other.path, sample: false });
      const after = await mine.call('sweeps:get', { id: sweep.id });
      expect(after.status).toBe('interrupted');
      expect(after.trialList.map((t) => t.status)).toEqual(['interrupted']);
      await mine.call('sweeps:resume', { id: sweep.id });
      expect((await mine.sweeps.waitFor(sweep.id)).status).toBe('completed');
      const done = await mine.call('sweeps:get', { id: sweep.id });
      expect(done.trialList.map((t) => [t.runId, t.status])).toEqual([[after.trialList[0].runId, 'completed'], [after.trialList[0].runId + 1, 'completed']]);
    } finally {
      mine.close();
      other.remove();
    }
  });

  it('a trial pruned after its last epoch: its run stays completed and says so; its sweep counts it pruned at the rung', async () => {
    const sweep = await wb.call('sweeps:start', { datasetId, preset: 'seed-lenet5', params: ['learningRate=0.003,1e-7', 'epochs=2'], search: 'grid' });
    await wb.sweeps.waitFor(sweep.id);
    const late = (await wb.call('sweeps:get', { id: sweep.id })).trialList[1];
    // What the sweep records when ASHA prunes a trial at epoch 1 and the stop reaches its worker after epoch 2 (a
    // pool worker polls for stops; the gate cannot stage this: it holds a run until its stop arrives).
    markPruned(wb.db, late.runId, 1);
    const detail = await wb.call('sweeps:get', { id: sweep.id });
    expect(detail.trialList.map((t) => [t.status, t.runStatus, t.prunedAt, t.epochsDone])).toEqual([
      ['completed', 'completed', null, 2],
      ['pruned', 'completed', 1, 2],
    ]);
    expect(detail.trialsDone).toBe(2);
    expect(await wb.call('runs:get', { id: late.runId })).toMatchObject({ status: 'completed', sweepId: sweep.id, prunedAt: 1, epochsDone: 2 });
    const listed = (await wb.call('runs:list', undefined)).find((r) => r.id === late.runId);
    expect(listed).toMatchObject({ status: 'completed', prunedAt: 1 });
    const shown = await runCli(dir.path, ['runs', 'show', String(late.runId)]);
    expect(shown.stdout.split('\n').slice(0, 3)).toContain(`trial of sweep ${sweep.id}: pruned at epoch 1; it had finished all its epochs when the stop arrived`);
    expect(shown.stdout).toMatch(new RegExp(`^run ${late.runId} completed`));
  });
});
