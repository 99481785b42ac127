// The BatchNorm meeting point of a batch's replicas: pooling math, the barrier across real threads, aborts; and
// an engine with 2 workers training a BatchNorm model exactly like 1 worker over several steps.
// The thread test loads build/node/trainer/engine/batch-exchange.js: run `npm run build:node` first.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchExchange, isAbort } from '../../src/trainer/engine/batch-exchange.js';
import { poolMoments } from '../../src/trainer/engine/batch-norm.js';
import { createEngine, type Engine } from '../../src/trainer/engine/index.js';
import { GRADIENT_MODELS, someDigits } from '../helpers/gradient-models.js';

describe('pooling partial moments', () => {
  it('gives the moments of the concatenated parts, even with a mean far larger than the spread', () => {
    const values = [1000.1, 1000.3, 999.8, 1000.0, 1000.6];
    const part = (xs: number[]) => {
      const m = xs.reduce((a, v) => a + v, 0) / xs.length;
      return Float64Array.from([xs.length, m, xs.reduce((a, v) => a + (v - m) ** 2, 0)]);
    };
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
    const pooled = poolMoments([part(values.slice(0, 2)), part(values.slice(2))], 1);
    expect(pooled.count).toBe(5);
    expect(pooled.mean[0]).toBeCloseTo(mean, 12);
    expect(pooled.variance[0]).toBeCloseTo(variance, 12);
  });
});

describe('BatchExchange', () => {
  it('alone, a replica gets its own values back', () => {
    const ex = BatchExchange.create(2, 3);
    ex.begin(1);
    expect(ex.gather(0, Float64Array.from([1, 2, 3]))).toEqual([Float64Array.from([1, 2, 3])]);
  });

  it('after an abort a waiting replica throws instead of blocking; the next step starts clean', () => {
    const ex = BatchExchange.create(2, 1);
    ex.begin(2);
    ex.abort();
    let thrown: unknown;
    try {
      ex.gather(0, Float64Array.from([1]));
    } catch (err) {
      thrown = err;
    }
    expect(isAbort(thrown)).toBe(true);
    ex.begin(1);
    expect(ex.gather(0, Float64Array.from([4]))[0][0]).toBe(4);
  });

  it('meets a replica on another thread at every sync point, both seeing both values in rank order', async () => {
    const ex = BatchExchange.create(2, 2);
    ex.begin(2);
    const module = join(process.cwd(), 'build/node/trainer/engine/batch-exchange.js');
    const worker = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      import(${JSON.stringify(module)}).then(({ BatchExchange }) => {
        const ex = new BatchExchange(workerData);
        const seen = [];
        for (let i = 0; i < 50; i++) seen.push(ex.gather(1, Float64Array.from([i, -i])).map((p) => Array.from(p)));
        parentPort.postMessage(seen);
      });`, { eval: true, workerData: ex.layout });
    const theirs = new Promise<number[][][]>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    const mine: number[][][] = [];
    for (let i = 0; i < 50; i++) mine.push(ex.gather(0, Float64Array.from([100 + i, 200 + i])).map((p) => Array.from(p)));
    const seen = await theirs;
    await worker.terminate();
    const expected = Array.from({ length: 50 }, (_, i) => [[100 + i, 200 + i], [i, -i]]);
    expect(mine).toEqual(expected);
    expect(seen).toEqual(expected);
  });
});

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

describe('BatchNorm with 2 workers', () => {
  it('trains like 1 worker on the whole batch: same losses, moving statistics and predictions', async () => {
    const layers = GRADIENT_MODELS['strided conv, BatchNorm, dropout, softmax activation'];
    // SGD, not Adam: a bias feeding a BatchNorm has a true gradient of zero, and Adam would turn its rounding noise
    // (different per summation order) into full-size steps.
    const opts = { layers, optimizer: { name: 'sgd' as const, learningRate: 0.05, momentum: 0.9 }, seed: 4, backend: 'wasm' as const };
    const [one, two, again] = [await createEngine({ ...opts, workers: 1 }), await createEngine({ ...opts, workers: 2 }), await createEngine({ ...opts, workers: 2 })];
    engines.push(one, two, again);
    const data = someDigits(32 * 5, 23);
    for (let k = 0; k < 5; k++) {
      const x = data.x.subarray(k * 32 * 784, (k + 1) * 32 * 784);
      const y = data.y.subarray(k * 32, (k + 1) * 32);
      const [r1, r2] = [await one.trainBatch(x, y), await two.trainBatch(x, y)];
      expect(r2.correct).toBe(r1.correct);
      // Up to float summation order (the shares' gradients are added, not computed in one sum).
      expect(r2.loss).toBeCloseTo(r1.loss, 4);
      // The replicas pool in a fixed order: the same worker count is bit-for-bit reproducible.
      expect(await again.trainBatch(x, y)).toEqual(r2);
    }
    const [w1, w2] = [new Float32Array((await one.saveState()).weights.buffer), new Float32Array((await two.saveState()).weights.buffer)];
    w1.forEach((v, i) => expect(w2[i], `weight ${i}`).toBeCloseTo(v, 4));
    const some = data.x.subarray(0, 16 * 784);
    const [p1, p2] = [await one.predict(some), await two.predict(some)];
    p1.forEach((v, i) => expect(p2[i]).toBeCloseTo(v, 4));
  });
});
