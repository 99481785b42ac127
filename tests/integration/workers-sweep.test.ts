// A sweep on the worker pool: `digit-workbench sweep --queue URL` (the CLI as the owner) with a real redis-server
// and two `digit-workbench worker` processes. Trials spread over both workers, ASHA's stop reaches the worker that
// trains a pruned trial, and every trial lands in the owner's SQLite like a local one. The workers' trainers pass
// an epoch gate (tests/helpers/epoch-gate.ts) that holds them at epoch boundaries while a stop or a pruning
// decision travels owner → Redis → worker: the tests wait on those events, never on how long epochs take.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { comparable } from '../helpers/comparable-epochs.js';
import { CLI_BIN, runCli, type CliResult } from '../helpers/cli-process.js';
import { EpochGate } from '../helpers/epoch-gate.js';
import { openDatabase } from '../../src/core/db/open.js';

let dir: ReturnType<typeof tempDir>;
let redis: TestRedis;
let datasetId: number;
const workers: WorkerProcess[] = [];
const gate = new EpochGate();

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  const wb = new Workbench({ home: dir.path });
  datasetId = await importSmallTrainSet(wb, dir.path, 600);
  wb.close();
  workers.push(await startWorkerProcess(redis.url, 'wa', [], gate.env), await startWorkerProcess(redis.url, 'wb', [], gate.env));
});
afterEach(() => gate.open());
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.stop();
  dir?.remove();
  gate.remove();
});

describe('digit-workbench sweep --queue', () => {
  it('a pool that is not there: refused before any trial is queued, naming the URL without its password', async () => {
    const r = await runCli(dir.path, ['sweep', '--dataset', String(datasetId), '--preset', 'seed-lenet5', '--param', 'batchSize=32,64', '--queue', 'redis://:hunter2@127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot reach Redis at redis://:***@127.0.0.1:1');
    expect(r.stderr).not.toContain('hunter2');
    expect(JSON.parse((await runCli(dir.path, ['sweeps', '--json'])).stdout)).toEqual([]);
  });

  it('spreads a grid with ASHA over both workers; pruned trials stop on their worker; trials land like local runs', async () => {
    // Trials 0 and 1 (a trainable rate) take both workers; trials 2 and 3 (lr 1e-7 barely moves) are proposed once
    // one of them ended, so at the first rung (epoch 1) they meet better trials and are pruned: the stop must reach
    // the worker training them. (Which of 0 and 1 reaches a rung first is a race: the first always goes on, so at
    // least one of them completes.) Every trainer holds at every epoch boundary; the trainable trials go on once
    // both are held (so each has a worker of its own), the untrainable ones wait after epoch 1 for the sweep's stop.
    const store = openDatabase(dir.path, { migrate: false });
    const rateOf = (runId: number) => store.prepare("SELECT json_extract(hyperparams, '$.learningRate') FROM runs WHERE id = ?").pluck().get(runId) as number;
    const trainable = new Set<number>();
    const undecided = new Map<number, number>();
    gate.close();
    const stopReleasing = gate.releaseWhere((h) => {
      if (rateOf(h.runId) >= 1e-3) {
        trainable.add(h.runId);
        return trainable.size >= 2;
      }
      // Only if ASHA kept an untrainable trial (its epoch committed, no pruning 30 s later): let it run, so the
      // assertions below fail instead of the sweep hanging.
      const judged = store.prepare('SELECT r.pruned_at IS NULL AND EXISTS (SELECT 1 FROM epochs e WHERE e.run_id = r.id) FROM runs r WHERE r.id = ?').pluck().get(h.runId) === 1;
      if (!judged) return false;
      if (!undecided.has(h.runId)) undecided.set(h.runId, Date.now());
      return Date.now() - undecided.get(h.runId)! > 30_000;
    });
    let r: CliResult;
    try {
      r = await runCli(
        dir.path,
        ['sweep', '--dataset', String(datasetId), '--preset', 'seed-lenet5',
          '--param', 'learningRate=0.003,1e-7', '--param', 'batchSize=32,64', '--param', 'epochs=6', '--param', 'validation.ratio=0.25',
          '--search', 'grid', '--prune', 'asha', '--min-resource', '1', '--reduction-factor', '3', '--seed', '5', '--queue', redis.url, '--json'],
        { timeout: 600_000 },
      );
    } finally {
      stopReleasing();
      store.close();
    }
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { id: number; trials: { runId: number; status: string; params: Record<string, number> }[]; bestRunId: number };
    expect(out.trials.map((t) => t.params)).toEqual([
      { learningRate: 0.003, batchSize: 32 },
      { learningRate: 0.003, batchSize: 64 },
      { learningRate: 1e-7, batchSize: 32 },
      { learningRate: 1e-7, batchSize: 64 },
    ]);
    expect(out.trials.slice(0, 2).some((t) => t.status === 'completed')).toBe(true);
    expect(out.trials[2].status).toBe('pruned');
    expect(out.trials[3].status).toBe('pruned');

    const wb = new Workbench({ home: dir.path, backend: 'wasm' });
    try {
      const sweep = await wb.call('sweeps:get', { id: out.id });
      expect(sweep).toMatchObject({ status: 'completed', target: 'pool' });
      const runs = await Promise.all(out.trials.map((t) => wb.call('runs:get', { id: t.runId })));
      for (const run of runs) {
        expect(run.target).toBe('pool');
        expect(run.sweepId).toBe(out.id);
        expect(run.epochWorkers.length).toBe(run.epochs.length);
        expect(run.epochWorkers.every((w) => w === 'wa' || w === 'wb')).toBe(true);
      }
      expect(new Set(runs.flatMap((d) => d.trainedBy))).toEqual(new Set(['wa', 'wb']));
      for (const pruned of [runs[2], runs[3]]) {
        // Held after epoch 1, where a trained trial had reported already (one of them ended before these were
        // proposed): pruned at the first rung, and the stop reached the worker before a second epoch was stored.
        expect(pruned.prunedAt).toBe(1);
        expect(pruned.status).toBe('stopped');
        expect(pruned.epochs.map((e) => e.epoch)).toEqual([1]);
      }
      // A completed trial carries its validation predictions and equals the same run trained here.
      const done = runs.find((d) => d.status === 'completed')!;
      expect(done.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(wb.db.prepare('SELECT epoch FROM val_predictions WHERE run_id = ?').pluck().get(done.id)).toBe(done.bestEpoch);
      const [local] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: done.hyperparams as unknown as Record<string, unknown> });
      expect(await wb.runs.waitFor(local.id)).toBe('completed');
      expect(comparable(done.epochs)).toEqual(comparable((await wb.call('runs:get', { id: local.id })).epochs));
    } finally {
      wb.close();
    }
    // The pool keeps nothing of a finished sweep: its jobs' streams and checkpoints are gone from Redis.
    const left = await redis.client().keys('dw:job:*');
    expect(left).toEqual([]);
  });

  it('sweep stop reaches the pool trials; sweep resume --queue continues them from their checkpoints on the pool', async () => {
    // Both trials are held after epoch 1 until the stop reaches them.
    gate.close();
    const child = spawn(process.execPath, [CLI_BIN, '--home', dir.path, 'sweep', '--dataset', String(datasetId), '--preset', 'seed-lenet5',
      '--param', 'batchSize=32,64', '--param', 'epochs=3', '--search', 'grid', '--queue', redis.url, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      // Stop once both trials are held after epoch 1 on the pool and have committed it (read from the store the CLI
      // owner writes).
      await gate.waitHeldCount('both trials', 2, (h) => h.epoch === 1);
      let sweepId: number | undefined;
      const watch = new Workbench({ home: dir.path, sample: false });
      try {
        for (let i = 0; i < 1200 && sweepId === undefined; i++) {
          await new Promise((r) => setTimeout(r, 250));
          const running = watch.db.prepare("SELECT id FROM sweeps WHERE status = 'running'").pluck().get() as number | undefined;
          if (running === undefined) continue;
          const trials = watch.db
            .prepare('SELECT status, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = r.id) AS epochs FROM runs r WHERE sweep_id = ?')
            .all(running) as { status: string; epochs: number }[];
          if (trials.length === 2 && trials.every((t) => t.status === 'running' && t.epochs >= 1)) sweepId = running;
        }
      } finally {
        watch.close();
      }
      expect(sweepId).toBeDefined();
      const stop = await runCli(dir.path, ['sweep', 'stop', String(sweepId)]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(await exited).toBe(0);
      const stopped = JSON.parse(stdout) as { trials: { runId: number; status: string }[] };
      expect(stopped.trials.map((t) => t.status)).toEqual(['stopped', 'stopped']);
      gate.open();

      const resumed = await runCli(dir.path, ['sweep', 'resume', String(sweepId), '--queue', redis.url, '--json'], { timeout: 600_000 });
      expect(resumed.code, resumed.stderr).toBe(0);
      const done = JSON.parse(resumed.stdout) as { trials: { runId: number; status: string }[] };
      expect(done.trials.map((t) => [t.runId, t.status])).toEqual(stopped.trials.map((t) => [t.runId, 'completed']));
      const wb = new Workbench({ home: dir.path });
      try {
        for (const t of done.trials) {
          const run = await wb.call('runs:get', { id: t.runId });
          expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
          expect(run.epochWorkers.every((w) => w === 'wa' || w === 'wb')).toBe(true);
        }
      } finally {
        wb.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
