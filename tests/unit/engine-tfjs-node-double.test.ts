// The tfjs-node backend's path on any machine: a stand-in for tfjs-node (tfjs's cpu backend registered as
// 'tensorflow', see tests/helpers/fake-tfjs-node.mjs) is reported available, chosen first, and trains and resumes
// bit for bit, also with worker threads (they load the same stand-in). This is what engine.test.ts runs on the
// real tfjs-node where it installs; here it proves those tests ask the loader instead of assuming an answer.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';

// Before the engine loads any backend (the loader reads it once per process); worker threads inherit it.
// Native off: this file is about the tfjs-node path being chosen first when it loads.
process.env.DIGIT_WORKBENCH_NATIVE = 'off';
process.env.DIGIT_WORKBENCH_TFJS_NODE_MODULE = fileURLToPath(new URL('../helpers/fake-tfjs-node.mjs', import.meta.url));
const { availableBackends, createEngine } = await import('../../src/trainer/engine/index.js');
type Engine = Awaited<ReturnType<typeof createEngine>>;

const TINY: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'flatten' },
  { type: 'dense', units: 10, activation: 'softmax' },
];

const digits = loadMnistDigits();
const x = Float32Array.from(digits.pixels.subarray(0, 96 * 784), (v) => v / 255);
const y = digits.labels.slice(0, 96);

const engines: Engine[] = [];
async function engine(workers: number): Promise<Engine> {
  const e = await createEngine({ layers: TINY, optimizer: { name: 'adam', learningRate: 1e-2 }, seed: 4, workers });
  engines.push(e);
  return e;
}
async function losses(e: Engine, from: number, to: number): Promise<number[]> {
  const out: number[] = [];
  for (let k = from; k < to; k++) out.push((await e.trainBatch(x.subarray(k * 16 * 784, (k + 1) * 16 * 784), y.subarray(k * 16, (k + 1) * 16))).loss);
  return out;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

describe('with a stand-in for tfjs-node', () => {
  it('reports tensorflow available and picks it by default, the note naming only the native kernels switched off', async () => {
    const list = await availableBackends();
    expect(list.find((b) => b.name === 'tensorflow')).toEqual({ name: 'tensorflow', available: true, reason: null });
    const e = await engine(1);
    expect(e.backend).toBe('tensorflow');
    expect(e.backendNote).toBe('native: turned off by DIGIT_WORKBENCH_NATIVE=off');
  });

  it.each([1, 2])('trains reproducibly on it with %i worker(s), and a resume from saved state continues the same run', async (workers) => {
    const straight = await losses(await engine(workers), 0, 6);
    const first = await engine(workers);
    expect([first.backend, first.workers]).toEqual(['tensorflow', workers]);
    expect(await losses(first, 0, 3)).toEqual(straight.slice(0, 3));
    const resumed = await engine(workers);
    await resumed.loadState(await first.saveState());
    expect(await losses(resumed, 3, 6)).toEqual(straight.slice(3));
  });
});
