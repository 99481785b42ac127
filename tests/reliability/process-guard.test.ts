// The process guard in real processes that host runs: an uncaught exception and an unhandled rejection (injected
// from tests/fixtures/fault-on-signal.mjs) are logged with their stacks and the run trains on to the end; a storm
// of them ends the process with code 70, after it marked its run interrupted. The faults must land while the run
// trains, however fast its epochs are: its trainer is held at the epoch gate until they have been handled.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { STORM_EXIT_CODE } from '../../src/core/process-guard.js';
import type { RunInfo, RunStatus } from '../../src/shared/runs.js';
import type { WorkbenchEvent } from '../../src/shared/events.js';
import { startServeProcess, WireClient } from '../helpers/serve-process.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { tempDir } from '../helpers/temp-home.js';
import { sleep } from '../helpers/tracked-trainers.js';
import { EpochGate } from '../helpers/epoch-gate.js';

const injector = pathToFileURL(join(process.cwd(), 'tests', 'fixtures', 'fault-on-signal.mjs')).href;
const gate = new EpochGate();
const faultEnv = (faults: number) => ({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${injector}`.trim(), DW_FAULTS: String(faults), ...gate.env });

let dir: ReturnType<typeof tempDir>;
let datasetId: number;
beforeAll(async () => {
  dir = tempDir();
  const wb = new Workbench({ home: dir.path, sample: false });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  wb.close();
});
beforeEach(() => gate.close());
afterEach(() => gate.open());
afterAll(() => {
  dir.remove();
  gate.remove();
});

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await sleep(100);
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** Starts a run over the socket and resolves once its first epoch is stored, with a promise of its end. */
async function startRun(client: WireClient, epochs: number): Promise<{ id: number; ended: Promise<RunStatus> }> {
  let id = 0;
  const seen: WorkbenchEvent[] = [];
  client.on((e) => seen.push(e));
  [{ id }] = await client.call<RunInfo[]>('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs } });
  const ended = new Promise<RunStatus>((resolve) =>
    client.on((e) => {
      if (e.type === 'run:status' && e.runId === id && e.status !== 'running') resolve(e.status);
    }),
  );
  await until('the first epoch', () => seen.some((e) => e.type === 'run:epoch' && e.runId === id));
  // The gate is closed: the trainer waits after epoch 1 until the test releases it.
  await gate.waitHeld(`run ${id}`, (h) => h.runId === id && h.epoch === 1);
  return { id, ended };
}

describe('the process guard', () => {
  it('keeps serve and its training run alive through an uncaught exception and an unhandled rejection', async () => {
    const serve = await startServeProcess(dir.path, { env: faultEnv(1) });
    try {
      const client = await WireClient.connect(serve.port, serve.token);
      await client.call('settings:set', { backend: 'wasm' });
      const run = await startRun(client, 3);
      serve.child.kill('SIGUSR2');
      await until('both faults logged', () => /injected rejection 1/.test(serve.stderr()));
      expect(serve.stderr()).toMatch(/error process: uncaught exception \(the process goes on\): Error: injected fault 1\n\s+at /);
      expect(serve.stderr()).toMatch(/error process: unhandled promise rejection \(the process goes on\): Error: injected rejection 1\n\s+at /);
      gate.open();
      expect(await run.ended).toBe('completed');
      expect(serve.child.exitCode).toBeNull();
      expect((await client.call<RunInfo>('runs:get', { id: run.id })).epochsDone).toBe(3);
      client.close();
    } finally {
      await serve.stop();
    }
  });

  it('ends serve after a storm of them, with its run marked interrupted first', async () => {
    const serve = await startServeProcess(dir.path, { env: faultEnv(6) });
    let runId = 0;
    try {
      const client = await WireClient.connect(serve.port, serve.token);
      runId = (await startRun(client, 3)).id; // held after epoch 1 until the storm ends the process
      const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
      serve.child.kill('SIGUSR2');
      expect(await exited).toBe(STORM_EXIT_CODE);
      expect(serve.stderr()).toMatch(/unexpected errors within a minute: stopping/);
      client.close();
    } finally {
      await serve.stop();
    }
    const wb = new Workbench({ home: dir.path, sample: false });
    try {
      // Marked by the dying process itself, not later by whoever opens the store next.
      expect(await wb.call('runs:get', { id: runId })).toMatchObject({ status: 'interrupted', error: 'the app closed while it was training' });
    } finally {
      wb.close();
    }
  });

  it('keeps `digit-workbench train` and its run alive through the same faults', async () => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'digit-workbench.js'), '--home', dir.path, 'train', '--dataset', String(datasetId), '--preset', 'seed-lenet5', '--epochs', '2', '--backend', 'wasm'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...faultEnv(1) },
    });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.stdout!.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Held after epoch 1: the faults land while the run trains (after it, the guard is gone and they crash the CLI).
      await until('epoch 1', () => /epoch 1:/.test(stderr));
      const held = await gate.waitHeld('the run', (h) => h.epoch === 1);
      child.kill('SIGUSR2');
      await until('both faults logged', () => /injected rejection 1/.test(stderr));
      expect(child.exitCode).toBeNull();
      gate.open();
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/uncaught exception \(the process goes on\): Error: injected fault 1\n\s+at /);
      expect(stderr).toMatch(/unhandled promise rejection \(the process goes on\): Error: injected rejection 1\n\s+at /);
      expect(stdout).toMatch(new RegExp(`^run ${held.runId} completed`));
      expect(stderr).toMatch(/epoch 2:/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
