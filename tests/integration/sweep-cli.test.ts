// A real tiny sweep through the CLI: grid over four points, two epochs, ASHA with rungs at epoch 1 keeping the
// top half. The two trials with learningRate 1e-7 barely move from their initial weights, so once a trained trial
// has reported at the rung they fall outside the top half and are pruned; trials run one at a time
// (the default concurrency) so the arrival order at the rung is the grid's order. The trainers pass an epoch gate
// (tests/helpers/epoch-gate.ts) that holds a run until the stop it waits for arrives, however fast epochs are.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { Workbench } from '../../src/core/workbench.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { runCli, type CliResult } from '../helpers/cli-process.js';
import { EpochGate } from '../helpers/epoch-gate.js';
import { openDatabase } from '../../src/core/db/open.js';

const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
let dir: ReturnType<typeof tempDir>;
const gate = new EpochGate();

const cli = (...args: string[]) => runCli(dir.path, args, { timeout: 240_000 });

beforeAll(async () => {
  dir = tempDir();
  const wb = new Workbench({ home: dir.path });
  await importSmallTrainSet(wb, dir.path, 600);
  wb.close();
});
afterEach(() => gate.open());
afterAll(() => {
  dir.remove();
  gate.remove();
});

describe('digit-workbench sweep', () => {
  it('names the bad --param and exits before queueing anything', async () => {
    const r = await cli('sweep', '--dataset', 'small-600-7', '--preset', 'seed-lenet5', '--param', 'learningRate=log:1e-2..1e-4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--param learningRate=log:1e-2\.\.1e-4: the range must go from low to high/);
    const bound = await cli('sweep', '--dataset', 'small-600-7', '--preset', 'seed-lenet5', '--param', 'learningRate=log:1e-4..20');
    expect(bound.code).toBe(1);
    expect(bound.stderr).toMatch(/--param learningRate=log:0\.0001\.\.20: learningRate: must be a number above 0 and at most 10 \(got 20\)/);
    expect(JSON.parse((await cli('sweeps', '--json')).stdout)).toEqual([]);
  });

  it('runs a grid with ASHA: trained trials complete, untrainable ones are pruned at epoch 1', async () => {
    // Trainable trials pass the gate; the untrainable ones wait after epoch 1 for the stop their pruning sends.
    const store = openDatabase(dir.path, { migrate: false });
    gate.close();
    const stopReleasing = gate.releaseWhere(
      (h) => (store.prepare("SELECT json_extract(hyperparams, '$.learningRate') FROM runs WHERE id = ?").pluck().get(h.runId) as number) >= 1e-3,
    );
    let r: CliResult;
    try {
      r = await runCli(dir.path, [
        'sweep', '--dataset', 'small-600-7', '--preset', 'seed-lenet5',
        '--param', 'learningRate=0.003,1e-7', '--param', 'batchSize=32,64', '--param', 'epochs=2', '--param', 'validation.ratio=0.25',
        '--search', 'grid', '--prune', 'asha', '--min-resource', '1', '--reduction-factor', '2', '--seed', '5', '--json',
      ], { timeout: 240_000, env: gate.env });
    } finally {
      stopReleasing();
      store.close();
    }
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['id', 'trials', 'bestRunId']);
    expect(out.trials).toHaveLength(4);
    expect(Object.keys(out.trials[0])).toEqual(['runId', 'status', 'params', 'best']);
    expect(out.trials.map((t: { params: unknown }) => t.params)).toEqual([
      { learningRate: 0.003, batchSize: 32 },
      { learningRate: 0.003, batchSize: 64 },
      { learningRate: 1e-7, batchSize: 32 },
      { learningRate: 1e-7, batchSize: 64 },
    ]);
    expect(out.trials[0].status).toBe('completed');
    expect(out.trials[2].status).toBe('pruned');
    expect(out.trials[3].status).toBe('pruned');
    expect(out.bestRunId).toBe([...out.trials].sort((a, b) => b.best - a.best)[0].runId);
    // A pruned run keeps the epoch it was judged at and is not failed.
    const runs = JSON.parse((await cli('runs', '--json')).stdout) as { id: number; status: string; epochs: unknown[] }[];
    const pruned = runs.find((x) => x.id === out.trials[2].runId)!;
    expect(pruned.status).not.toBe('failed');
    expect(pruned.epochs.length).toBe(1);
    // The runs themselves carry the flag: stopped by the sweep, not failed, with the epoch it was judged at.
    const wb = new Workbench({ home: dir.path });
    try {
      const run = await wb.call('runs:get', { id: out.trials[2].runId });
      expect(run).toMatchObject({ sweepId: out.id, prunedAt: 1 });
      expect(run.status).toBe('stopped');
    } finally {
      wb.close();
    }
    const list = await cli('sweeps');
    expect(list.stdout).toMatch(new RegExp(`${out.id}\\s+completed\\s+grid\\+asha\\s+seed-lenet5\\s+4/4`));
  });

  it('sweep stop from another process stops the running sweep; sweep resume finishes it', async () => {
    // The first trial is held after epoch 1 until the stop reaches it.
    gate.close();
    const child = spawn(process.execPath, [bin, '--home', dir.path, 'sweep', '--dataset', 'small-600-7', '--preset', 'seed-lenet5',
      '--param', 'batchSize=32,64', '--param', 'epochs=3', '--search', 'random', '--trials', '2', '--seed', '3', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...gate.env } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await gate.waitHeld('the first trial', (h) => h.epoch === 1);
      let sweepId: number | undefined;
      for (let i = 0; i < 600 && sweepId === undefined; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const runs = JSON.parse((await cli('runs', '--json')).stdout) as { status: string }[];
        const sweeps = JSON.parse((await cli('sweeps', '--json')).stdout) as { id: number; status: string }[];
        if (runs.some((r) => r.status === 'running')) sweepId = sweeps.find((s) => s.status === 'running')?.id;
      }
      expect(sweepId).toBeDefined();
      const stop = await cli('sweep', 'stop', String(sweepId));
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toMatch(`sweep ${sweepId} stopped`);
      expect(await exited).toBe(0);
      // The first trial stopped mid-run (after epoch 1), and the stop ended the sweep before a second was proposed.
      const stopped = JSON.parse(stdout);
      expect(stopped.trials.map((t: { status: string }) => t.status)).toEqual(['stopped']);
      gate.open();

      const resumed = await cli('sweep', 'resume', String(sweepId), '--json');
      expect(resumed.code, resumed.stderr).toBe(0);
      const done = JSON.parse(resumed.stdout);
      expect(done.trials.map((t: { status: string }) => t.status)).toEqual(['completed', 'completed']);
      expect(done.trials[0].runId).toBe(stopped.trials[0].runId);
      expect(done.trials[0].params).toEqual(stopped.trials[0].params);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
