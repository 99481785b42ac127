// Each kernel set that loads here (the project's wasm kernels, the native oneDNN ones) must agree with tfjs's
// reference cpu backend on the same inputs: one suite accepts a kernel set.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, loadBackend } from '../../src/trainer/engine/backend.js';
import { DROPOUT } from '../../src/trainer/engine/kernel-set.js';
import { dropoutMask } from '../../src/trainer/engine/random.js';
import { BN_GRAD_APPLY, BN_GRAD_SUMS, BN_MOMENTS, BN_NORMALIZE } from '../../src/trainer/engine/kernel-set.js';
import { BIAS_GRAD, POOL_RELU_BIAS_GRAD, RELU_BIAS_GRAD, RELU_GRAD } from '../../src/trainer/engine/wasm-kernels.js';
import { mulberry32 } from '../../src/core/datasets/mnist-digits.js';

type Shape4 = [number, number, number, number];

function randomArray(size: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: size }, () => rng() * 2 - 1);
}

/** The kernel sets to check: those that load here (none is assumed). */
const SETS = (await availableBackends()).filter((b) => b.available && (b.name === 'wasm' || b.name === 'native')).map((b) => b.name);

/** Runs `f` on the kernel set and on cpu with the same inputs; returns [set, cpu] flattened outputs. */
async function both(set: string, f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  const out: Float32Array[] = [];
  for (const name of [set, 'cpu']) {
    await tf.setBackend(name);
    const t = tf.tidy(f);
    out.push((await t.data()) as Float32Array);
    t.dispose();
  }
  return [out[0], out[1]];
}

function expectClose(actual: Float32Array, expected: Float32Array, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  expect(await loadBackend('cpu')).toBeNull();
});

describe.each(SETS)('the %s kernel set', (set) => {

  const convCases: { x: Shape4; k: number; co: number; stride: number; pad: 'same' | 'valid' }[] = [
    { x: [1, 28, 28, 1], k: 5, co: 6, stride: 1, pad: 'same' },
    { x: [3, 14, 14, 6], k: 5, co: 16, stride: 1, pad: 'valid' },
    { x: [4, 9, 9, 3], k: 3, co: 8, stride: 2, pad: 'same' },
    { x: [2, 10, 10, 4], k: 3, co: 5, stride: 2, pad: 'valid' },
    { x: [5, 8, 8, 2], k: 2, co: 3, stride: 2, pad: 'same' },
    { x: [2, 7, 7, 32], k: 3, co: 64, stride: 1, pad: 'same' },
    // Stride 1 with channel counts that fill neither the SIMD kernels' eight-channel groups nor their six-tap blocks.
    { x: [3, 6, 9, 7], k: 3, co: 5, stride: 1, pad: 'same' },
    { x: [2, 8, 6, 3], k: 4, co: 12, stride: 1, pad: 'valid' },
    // Strided with enough channels for the scatter kernel's input gradient.
    { x: [2, 9, 9, 8], k: 5, co: 12, stride: 2, pad: 'same' },
    { x: [3, 12, 10, 16], k: 3, co: 8, stride: 2, pad: 'same' },
  ];

  describe('Conv2D gradients', () => {
    for (const [i, c] of convCases.entries()) {
      const label = `x ${c.x.join('×')}, ${c.k}×${c.k}→${c.co}, stride ${c.stride}, ${c.pad}`;
      const filterShape: Shape4 = [c.k, c.k, c.x[3], c.co];
      const xData = randomArray(c.x.reduce((a, b) => a * b), 10 + i);
      const wData = randomArray(filterShape.reduce((a, b) => a * b), 20 + i);
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad).shape);
      const dyData = randomArray(dyShape.reduce((a, b) => a * b), 30 + i);

      it(`Conv2DBackpropFilter matches cpu: ${label}`, async () => {
        const [ours, cpu] = await both(set, () => tf.engine().runKernel('Conv2DBackpropFilter',
          { x: tf.tensor(xData, c.x), dy: tf.tensor(dyData, dyShape) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor);
        expectClose(ours, cpu);
      });

      it(`Conv2DBackpropInput matches cpu: ${label}`, async () => {
        const [ours, cpu] = await both(set, () => tf.engine().runKernel('Conv2DBackpropInput',
          { dy: tf.tensor(dyData, dyShape), filter: tf.tensor(wData, filterShape) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as never) as tf.Tensor);
        expectClose(ours, cpu);
      });
    }
  });

  describe('MaxPoolGrad', () => {
    const cases: { x: Shape4; pool: number; stride: number; pad: 'same' | 'valid' }[] = [
      { x: [2, 28, 28, 6], pool: 2, stride: 2, pad: 'valid' },
      { x: [3, 10, 10, 16], pool: 2, stride: 2, pad: 'valid' },
      { x: [2, 7, 7, 4], pool: 2, stride: 2, pad: 'same' },
      { x: [1, 9, 9, 3], pool: 3, stride: 1, pad: 'valid' },
    ];
    for (const [i, c] of cases.entries()) {
      it(`matches cpu: x ${c.x.join('×')}, pool ${c.pool}, stride ${c.stride}, ${c.pad}`, async () => {
        const xData = randomArray(c.x.reduce((a, b) => a * b), 40 + i);
        const [ours, cpu] = await both(set, () => {
          const x = tf.tensor4d(xData, c.x);
          const y = tf.maxPool(x, c.pool, c.stride, c.pad);
          const dy = tf.tensor(randomArray(y.size, 50 + i), y.shape);
          return tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y },
            { filterSize: c.pool, strides: c.stride, pad: c.pad } as never) as tf.Tensor;
        });
        expectClose(ours, cpu);
      });
    }
  });

  describe('fused max-pool + ReLU + bias gradient', () => {
    // Values on a coarse grid, half of them zero after the ReLU: windows with ties and all-zero windows are common.
    for (const shape of [[2, 28, 28, 6], [3, 10, 10, 16], [2, 6, 8, 3], [1, 4, 4, 1], [2, 6, 6, 5], [2, 4, 6, 4]] as Shape4[]) {
      it(`matches MaxPoolGrad, then dy·step(y) and its sum, on cpu: ${shape.join('×')}`, async () => {
        const size = shape.reduce((p, d) => p * d);
        const yData = randomArray(size, 90).map((v) => Math.max(0, Math.round(v * 4) / 4));
        const pooled = [shape[0], shape[1] / 2, shape[2] / 2, shape[3]];
        const dyData = randomArray(pooled.reduce((p, d) => p * d), 91);
        await tf.setBackend(set);
        const [dz, db] = tf.engine().runKernel(POOL_RELU_BIAS_GRAD, { dy: tf.tensor(dyData, pooled), y: tf.tensor(yData, shape) }, {}) as tf.Tensor[];
        const ours = [dz.dataSync() as Float32Array, db.dataSync() as Float32Array];
        tf.dispose([dz, db]);
        await tf.setBackend('cpu');
        const [cpuDz, cpuDb] = tf.tidy(() => {
          const y = tf.tensor4d(yData, shape);
          const dx = tf.engine().runKernel('MaxPoolGrad', { dy: tf.tensor(dyData, pooled), input: y, output: tf.maxPool(y, 2, 2, 'valid') },
            { filterSize: 2, strides: 2, pad: 'valid' } as never) as tf.Tensor;
          const g = tf.mul(dx, tf.step(y));
          return [g, tf.sum(g, [0, 1, 2])];
        });
        expectClose(ours[0], cpuDz.dataSync() as Float32Array);
        expectClose(ours[1], cpuDb.dataSync() as Float32Array);
        tf.dispose([cpuDz, cpuDb]);
      });
    }
  });

  describe('BatchMatMul with transposes', () => {
    const cases = [
      { a: [16, 400], b: [16, 120], ta: true, tb: false },
      { a: [16, 120], b: [400, 120], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [3, 6, 4], b: [3, 6, 5], ta: true, tb: false },
      { a: [8, 9], b: [9, 10], ta: false, tb: false },
      // Odd row counts, column counts off the SIMD blocks and inner sizes off whole vectors.
      { a: [5, 10], b: [7, 10], ta: false, tb: true },
      { a: [2, 3, 7], b: [2, 5, 7], ta: false, tb: true },
      { a: [9, 7], b: [9, 13], ta: true, tb: false },
      { a: [3, 84], b: [3, 10], ta: true, tb: false },
    ];
    for (const [i, c] of cases.entries()) {
      it(`matches cpu: ${c.a.join('×')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('×')}${c.tb ? 'ᵀ' : ''}`, async () => {
        const aData = randomArray(c.a.reduce((p, d) => p * d), 60 + i);
        const bData = randomArray(c.b.reduce((p, d) => p * d), 70 + i);
        const [ours, cpu] = await both(set, () => tf.matMul(tf.tensor(aData, c.a), tf.tensor(bData, c.b), c.ta, c.tb));
        expectClose(ours, cpu);
      });
    }
  });

  describe('ReLU and bias gradients', () => {
    for (const shape of [[4, 28, 28, 6], [32, 120], [3, 5, 5, 16], [2, 14, 14, 64]]) {
      const size = shape.reduce((p, d) => p * d);
      const dyData = randomArray(size, 80);
      const yData = randomArray(size, 81).map((v) => Math.max(0, v));

      it(`ReLU gradient matches dy·step(y) on cpu: ${shape.join('×')}`, async () => {
        await tf.setBackend(set);
        const ours = tf.tidy(() => tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dyData, shape), y: tf.tensor(yData, shape) }, {}) as tf.Tensor).dataSync();
        await tf.setBackend('cpu');
        const cpu = tf.tidy(() => tf.mul(tf.tensor(dyData, shape), tf.step(tf.tensor(yData, shape)))).dataSync();
        expectClose(ours as Float32Array, cpu as Float32Array);
      });

      it(`fused ReLU + bias gradient matches dy·step(y) and its sum on cpu: ${shape.join('×')}`, async () => {
        const axes = shape.slice(0, -1).map((_, i) => i);
        await tf.setBackend(set);
        const [dz, db] = tf.engine().runKernel(RELU_BIAS_GRAD, { dy: tf.tensor(dyData, shape), y: tf.tensor(yData, shape) }, {}) as tf.Tensor[];
        const ours = [dz.dataSync(), db.dataSync()];
        tf.dispose([dz, db]);
        await tf.setBackend('cpu');
        const cpuDz = tf.tidy(() => tf.mul(tf.tensor(dyData, shape), tf.step(tf.tensor(yData, shape))));
        const cpuDb = tf.sum(cpuDz, axes);
        expectClose(ours[0] as Float32Array, cpuDz.dataSync() as Float32Array);
        expectClose(ours[1] as Float32Array, cpuDb.dataSync() as Float32Array);
        tf.dispose([cpuDz, cpuDb]);
      });

      it(`bias gradient matches a sum over all but the last axis on cpu: ${shape.join('×')}`, async () => {
        const axes = shape.slice(0, -1).map((_, i) => i);
        await tf.setBackend(set);
        const ours = tf.tidy(() => tf.engine().runKernel(BIAS_GRAD, { dy: tf.tensor(dyData, shape) }, {}) as tf.Tensor).dataSync();
        await tf.setBackend('cpu');
        const cpu = tf.tidy(() => tf.sum(tf.tensor(dyData, shape), axes)).dataSync();
        expectClose(ours as Float32Array, cpu as Float32Array);
      });
    }
  });

  describe('forward kernels', () => {
    for (const [i, c] of convCases.entries()) {
      it(`fused conv2d (bias, ReLU) matches cpu: x ${c.x.join('×')}, ${c.k}×${c.k}→${c.co}, stride ${c.stride}, ${c.pad}`, async () => {
        const filterShape: Shape4 = [c.k, c.k, c.x[3], c.co];
        const [xData, wData, bData] = [randomArray(c.x.reduce((a, b) => a * b), 110 + i), randomArray(filterShape.reduce((a, b) => a * b), 120 + i), randomArray(c.co, 130 + i)];
        const [ours, cpu] = await both(set, () => tf.fused.conv2d({ x: tf.tensor4d(xData, c.x), filter: tf.tensor4d(wData, filterShape), bias: tf.tensor1d(bData), strides: c.stride, pad: c.pad, activation: 'relu' }));
        expectClose(ours, cpu);
      });
    }
    for (const [i, c] of [{ x: [2, 28, 28, 6], pool: 2, stride: 2 }, { x: [3, 9, 9, 5], pool: 3, stride: 2 }, { x: [1, 7, 8, 3], pool: 2, stride: 1 }].entries()) {
      it(`max pool matches cpu: x ${c.x.join('×')}, pool ${c.pool}, stride ${c.stride}`, async () => {
        const xData = randomArray(c.x.reduce((a, b) => a * b), 140 + i);
        expectClose(...(await both(set, () => tf.maxPool(tf.tensor4d(xData, c.x as Shape4), c.pool, c.stride, 'valid'))));
      });
    }
    it('dense (bias, ReLU) and an element-wise product match cpu', async () => {
      const [a, b, bias] = [randomArray(13 * 70, 150), randomArray(70 * 9, 151), randomArray(9, 152)];
      expectClose(...(await both(set, () => tf.fused.matMul({ a: tf.tensor2d(a, [13, 70]), b: tf.tensor2d(b, [70, 9]), bias: tf.tensor1d(bias), activation: 'relu' }))));
      expectClose(...(await both(set, () => tf.mul(tf.tensor2d(a, [13, 70]), tf.tensor2d(randomArray(13 * 70, 153), [13, 70])))));
    });
  });

  describe('BatchNorm training kernels', () => {
    // Whole groups of 8 channels and a count that fills only half of one (the wasm set needs multiples of 4).
    for (const shape of [[4, 7, 7, 8], [64, 12], [3, 5, 5, 4]]) {
      const c = shape[shape.length - 1];
      const axes = shape.slice(0, -1).map((_, i) => i);
      const size = shape.reduce((p, d) => p * d);
      const x = randomArray(size, 160).map((v) => 3 + 2 * v);
      const dy = randomArray(size, 161);
      it(`moments, normalisation, gradient sums and dx match tf ops on cpu: ${shape.join('×')}`, async () => {
        await tf.setBackend(set);
        const f64 = (t: tf.Tensor) => new Float64Array((t.dataSync() as Float32Array).slice().buffer);
        const moments = f64(tf.engine().runKernel(BN_MOMENTS, { x: tf.tensor(x, shape) }, {}) as tf.Tensor);
        const mean = Float32Array.from(moments.subarray(0, c));
        const invStd = Float32Array.from(moments.subarray(c), (m2) => 1 / Math.sqrt(m2 / (size / c) + 1e-3));
        const [gamma, beta] = [randomArray(c, 162), randomArray(c, 163)];
        const [xhat, y] = tf.engine().runKernel(BN_NORMALIZE, { x: tf.tensor(x, shape), mean: tf.tensor1d(mean), invStd: tf.tensor1d(invStd), gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta) }, { relu: true } as never) as tf.Tensor[];
        const sums = f64(tf.engine().runKernel(BN_GRAD_SUMS, { dy: tf.tensor(dy, shape), xhat, y }, { masked: true } as never) as tf.Tensor);
        const [meanG, meanGX, scale] = [sums.subarray(0, c).map((v) => v / (size / c)), sums.subarray(c).map((v) => v / (size / c)), gamma.map((g, k) => g * invStd[k])];
        const dx = tf.engine().runKernel(BN_GRAD_APPLY, { dy: tf.tensor(dy, shape), xhat, y, meanG: tf.tensor1d(Float32Array.from(meanG)), meanGX: tf.tensor1d(Float32Array.from(meanGX)), scale: tf.tensor1d(scale) }, { masked: true } as never) as tf.Tensor;
        const ours = { moments, xhat: xhat.dataSync() as Float32Array, y: y.dataSync() as Float32Array, sums, dx: dx.dataSync() as Float32Array };
        await tf.setBackend('cpu');
        tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const m = tf.moments(xt, axes);
          expectClose(Float32Array.from(ours.moments.subarray(0, c)), m.mean.dataSync() as Float32Array);
          expectClose(Float32Array.from(ours.moments.subarray(c), (v) => v / (size / c)), m.variance.dataSync() as Float32Array, 1e-3);
          const h = tf.mul(tf.sub(xt, tf.tensor1d(mean)), tf.tensor1d(invStd));
          const out = tf.relu(tf.add(tf.mul(h, tf.tensor1d(gamma)), tf.tensor1d(beta)));
          expectClose(ours.xhat, h.dataSync() as Float32Array);
          expectClose(ours.y, out.dataSync() as Float32Array);
          const g = tf.mul(tf.tensor(dy, shape), tf.step(out));
          expectClose(Float32Array.from(ours.sums.subarray(0, c)), tf.sum(g, axes).dataSync() as Float32Array);
          expectClose(Float32Array.from(ours.sums.subarray(c)), tf.sum(tf.mul(g, h), axes).dataSync() as Float32Array);
          const want = tf.mul(tf.sub(tf.sub(g, tf.tensor1d(Float32Array.from(meanG))), tf.mul(h, tf.tensor1d(Float32Array.from(meanGX)))), tf.tensor1d(scale));
          expectClose(ours.dx, want.dataSync() as Float32Array);
        });
      });
    }
  });

  // The engine's own mask stream (src/trainer/engine/random.ts), so a seed gives the same masks on every set.
  it.runIf(tf.getKernel(DROPOUT, set) !== undefined)('dropout gives the engine\'s masks, image by image from the batch position', async () => {
    await tf.setBackend(set);
    const [n, per, rate] = [5, 3 * 3 * 7, 0.4];
    const x = randomArray(n * per, 170);
    const [y, mask] = tf.engine().runKernel(DROPOUT, { x: tf.tensor(x, [n, 3, 3, 7]) }, { seed: 42, step: 9, layer: 3, first: 6, rate } as never) as tf.Tensor[];
    const want = dropoutMask(42, 9, 3, 6, n, per, rate);
    expect(Array.from(mask.dataSync())).toEqual(Array.from(want));
    expect(Array.from(y.dataSync())).toEqual(Array.from(x, (v, i) => Math.fround(v * want[i])));
    tf.dispose([y, mask]);
  });
});
