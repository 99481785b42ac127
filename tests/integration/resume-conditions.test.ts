// A resume keeps the conditions the run trained under — its backend and number of training workers — whatever the
// resuming process would choose, and ends exactly like the run uninterrupted; a resume whose backend cannot load
// here is refused with the reason (nothing changes), and a forced one continues here and records the change.
// Real trainer processes; tfjs-node is a stand-in (tests/helpers/fake-tfjs-node.mjs) so it runs anywhere.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { availableBackends } from '../../src/trainer/engine/index.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import type { EpochMetrics } from '../../src/shared/runs.js';
import type { BackendChoice } from '../../src/shared/trainer-protocol.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { comparable } from '../helpers/comparable-epochs.js';
import { EpochGate } from '../helpers/epoch-gate.js';

// Small enough for the cpu backend: every backend that loads here takes part.
const TINY: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dense', units: 10, activation: 'softmax' },
];
const NATIVE_ENV = 'DIGIT_WORKBENCH_TFJS_NODE_MODULE';
const STAND_IN = fileURLToPath(new URL('../helpers/fake-tfjs-node.mjs', import.meta.url));
const usable = (await availableBackends()).filter((b) => b.available).map((b) => b.name);

let dir: ReturnType<typeof tempDir>;
let datasetId: number;
const open: Workbench[] = [];
// A tiny model's epoch takes milliseconds: a stopped run is held after its epoch until the stop arrives.
const gate = new EpochGate();
Object.assign(process.env, gate.env);
/** A process's view of the shared data folder, with its own backend and worker choice for new runs. */
function workbench(opts: { backend?: BackendChoice; workers?: number } = {}): Workbench {
  const wb = new Workbench({ home: dir.path, sample: false, ...opts });
  open.push(wb);
  return wb;
}

beforeAll(async () => {
  dir = tempDir();
  datasetId = await importSmallTrainSet(workbench(), dir.path, 160);
});
afterEach(() => gate.open());
afterAll(() => {
  for (const wb of open) wb.close();
  dir.remove();
  delete process.env[NATIVE_ENV];
  delete process.env.DIGIT_WORKBENCH_NATIVE;
  for (const key of Object.keys(gate.env)) delete process.env[key];
  gate.remove();
});

const start = { preset: 'seed-lenet5', hyperparams: { epochs: 4, batchSize: 16, model: TINY, seed: 9 } };

/** Stops the run once its next epoch is stored; the caller closed the gate before starting or resuming it. */
async function stopAfterAnEpoch(wb: Workbench, id: number, before: number): Promise<void> {
  const off = wb.on((e) => {
    if (e.type === 'run:epoch' && e.runId === id) void wb.call('runs:stop', { id });
  });
  expect(await wb.runs.waitFor(id)).toBe('stopped');
  off();
  gate.open();
  const stopped = await wb.call('runs:get', { id });
  expect(stopped.epochs.length).toBe(before + 1);
  expect(stopped.epochs.length).toBeLessThan(stopped.epochsPlanned);
}

async function stoppedRun(wb: Workbench): Promise<number> {
  gate.close();
  const [run] = await wb.call('runs:start', { datasetId, ...start });
  await stopAfterAnEpoch(wb, run.id, 0);
  return run.id;
}

async function straightRun(wb: Workbench): Promise<EpochMetrics[]> {
  const [run] = await wb.call('runs:start', { datasetId, ...start });
  expect(await wb.runs.waitFor(run.id)).toBe('completed');
  return (await wb.call('runs:get', { id: run.id })).epochs;
}

describe.each(usable)('a run trained on %s with 2 workers', (backend) => {
  it('records both, and resumed by a process that would choose otherwise keeps both and ends like the run uninterrupted', async () => {
    const trainer = workbench({ backend, workers: 2 });
    const expected = await straightRun(trainer);
    const id = await stoppedRun(trainer);
    expect(await trainer.call('runs:get', { id })).toMatchObject({ backend, workers: 2 });

    const other = workbench({ backend: usable.find((b) => b !== backend) ?? backend, workers: 1 });
    await other.call('runs:resume', { id });
    expect(await other.runs.waitFor(id)).toBe('completed');
    const resumed = await other.call('runs:get', { id });
    expect(resumed).toMatchObject({ backend, workers: 2 });
    expect(comparable(resumed.epochs)).toEqual(comparable(expected));
  });
});

describe('a run trained on tfjs-node (a stand-in)', () => {
  let id: number;
  let expected: EpochMetrics[];

  it('records tensorflow: the automatic choice where it loads', async () => {
    // Trainer processes inherit the environment when they are forked. The native kernels, first where they load,
    // are switched off so that tfjs-node is the automatic choice.
    process.env.DIGIT_WORKBENCH_NATIVE = 'off';
    process.env[NATIVE_ENV] = STAND_IN;
    const native = workbench({ workers: 2 });
    expected = await straightRun(native);
    id = await stoppedRun(native);
    expect(await native.call('runs:get', { id })).toMatchObject({ backend: 'tensorflow', workers: 2, backendNote: 'native: turned off by DIGIT_WORKBENCH_NATIVE=off' });
  });

  it('is refused, with the reason and nothing changed, on a machine where tensorflow cannot load', async () => {
    process.env[NATIVE_ENV] = join(dir.path, 'no-tfjs-node-here.mjs');
    const machine = workbench({ workers: 1 });
    const before = await machine.call('runs:get', { id });
    const err = await machine.call('runs:resume', { id }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'conflict', details: { backend: 'tensorflow', workers: 2 } });
    expect((err as Error).message).toMatch(
      new RegExp(
        `^run ${id} trained ${before.epochsDone} epochs? on tensorflow with 2 workers; this machine cannot load tensorflow \\(.*no-tfjs-node-here\\.mjs.*\\) ` +
          `and has only [a-z, ]+: resuming here would change its results\\. Resume with force \\(digit-workbench resume ${id} --force\\)`,
      ),
    );
    expect(await machine.call('runs:get', { id })).toEqual(before);
  });

  it('forced, continues on this machine’s backend and workers and records the change, which a later resume keeps', async () => {
    const machine = workbench({ workers: 1 });
    const epochsBefore = (await machine.call('runs:get', { id })).epochsDone;
    gate.close();
    await machine.call('runs:resume', { id, force: true });
    await stopAfterAnEpoch(machine, id, epochsBefore);
    const here = (await machine.call('settings:backends', undefined)).find((b) => b.available)!.name;
    const note = new RegExp(
      `^resumed with force after epoch ${epochsBefore}: epochs? 1(–${epochsBefore})? trained on tensorflow with 2 workers, the rest on ${here} with 1 worker \\(not reproducible as one run\\)`,
    );
    expect((await machine.call('runs:get', { id })).backendNote).toMatch(note);

    // Resumed again (not forced): it keeps the backend it now trains on, and the note stays true of the run.
    const again = workbench({ workers: 2 });
    await again.call('runs:resume', { id });
    expect(await again.runs.waitFor(id)).toBe('completed');
    const run = await machine.call('runs:get', { id });
    expect(run).toMatchObject({ backend: here, workers: 1, epochsDone: 4 });
    expect(run.backendNote).toMatch(note);
    // The epochs trained on tensorflow are the uninterrupted run's.
    expect(comparable(run.epochs.slice(0, epochsBefore))).toEqual(comparable(expected.slice(0, epochsBefore)));
  });
});
