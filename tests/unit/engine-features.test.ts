// The embedding map's input: Engine.features() must be the activations that feed the last dense layer. Checked by
// finishing the forward pass by hand (features · kernel + bias, softmax) against the engine's own probabilities,
// for LeNet-5 (84 relu units) and a model whose penultimate block is dense → BatchNorm → relu → dropout.
import { describe, expect, it } from 'vitest';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { presets } from '../../src/core/training/presets.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { createEngine, planModel } from '../../src/trainer/engine/index.js';

const BN_HEAD: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dense', units: 24, activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'dropout', rate: 0.4 },
  { type: 'dense', units: 10, activation: 'softmax' },
];

function images(n: number): { x: Float32Array; y: Uint8Array } {
  const d = loadMnistDigits();
  return { x: Float32Array.from(d.pixels.subarray(0, n * 784), (v) => v / 255), y: d.labels.slice(0, n) };
}

describe('Engine.features', () => {
  for (const [name, layers, width] of [['LeNet-5', presets['seed-lenet5'].hyperparams.model, 84], ['dense → BatchNorm → relu → dropout', BN_HEAD, 24]] as const) {
    it(`gives the ${width} activations feeding the last dense layer of ${name}`, async () => {
      const engine = await createEngine({ layers: [...layers], optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 3, backend: 'wasm', workers: 1 });
      try {
        const { x, y } = images(64);
        // A few steps, so BatchNorm's moving statistics are not the identity.
        for (let i = 0; i < 3; i++) await engine.trainBatch(x, y);
        const n = 20;
        const out = await engine.features(x.subarray(0, n * 784));
        expect(out.width).toBe(width);
        expect(out.features).toHaveLength(n * width);
        expect(Math.min(...out.features)).toBeGreaterThanOrEqual(0); // both end their penultimate block in a relu
        // predict() runs the BatchNorm-folded model: the same probabilities up to float rounding.
        const predicted = await engine.predict(x.subarray(0, n * 784));
        expect(out.probs).toHaveLength(predicted.length);
        out.probs.forEach((p, i) => expect(p).toBeCloseTo(predicted[i], 6));
        const plan = planModel([...layers]);
        const last = plan.layers.at(-1)!;
        const weights = new Float32Array((await engine.saveState()).weights.slice().buffer);
        const [kernel, bias] = last.params.map((p) => weights.subarray(p.offset, p.offset + p.size));
        for (let i = 0; i < n; i++) {
          const logits = Array.from({ length: 10 }, (_, k) => {
            let z = bias[k];
            for (let j = 0; j < width; j++) z += out.features[i * width + j] * kernel[j * 10 + k];
            return z;
          });
          const max = Math.max(...logits);
          const sum = logits.reduce((a, z) => a + Math.exp(z - max), 0);
          logits.forEach((z, k) => expect(out.probs[i * 10 + k]).toBeCloseTo(Math.exp(z - max) / sum, 4));
        }
      } finally {
        await engine.dispose();
      }
    }, 60_000);
  }

  it('splits a large set across the worker threads and gives what one thread gives, row for row', async () => {
    const layers = [...presets['seed-lenet5'].hyperparams.model];
    const opts = { layers, optimizer: { name: 'adam' as const, learningRate: 1e-3 }, seed: 5, backend: 'wasm' as const };
    const one = await createEngine({ ...opts, workers: 1 });
    const two = await createEngine({ ...opts, workers: 2 });
    try {
      const { x, y } = images(2100); // past the size from which features are split
      for (let i = 0; i < 3; i++) await one.trainBatch(x.subarray(0, 64 * 784), y.subarray(0, 64));
      await two.loadState(await one.saveState());
      const [a, b] = [await one.features(x), await two.features(x)];
      expect(b.width).toBe(84);
      expect(b.features).toHaveLength(2100 * 84);
      // The second half comes from the worker thread: compare the whole, and that the tail is not zeros.
      expect(Math.max(...b.features.subarray(2000 * 84))).toBeGreaterThan(0);
      for (let i = 0; i < a.features.length; i++) if (Math.abs(a.features[i] - b.features[i]) > 1e-5) expect([i, b.features[i]]).toEqual([i, a.features[i]]);
      for (let i = 0; i < a.probs.length; i++) if (Math.abs(a.probs[i] - b.probs[i]) > 1e-6) expect([i, b.probs[i]]).toEqual([i, a.probs[i]]);
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
  }, 120_000);
});
