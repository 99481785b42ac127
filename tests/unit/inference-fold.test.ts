// Prediction folds BatchNorm into the layer before it and fuses the ReLU after: its probabilities must match the
// layer-by-layer inference forward pass (BatchNorm as its own ops) up to float rounding, on every backend here.

import { describe, expect, it } from 'vitest';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { presets } from '../../src/core/training/presets.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { availableBackends, planModel } from '../../src/trainer/engine/index.js';
import { resolveBackend, useBackend } from '../../src/trainer/engine/backend.js';
import { foldInference } from '../../src/trainer/engine/inference-plan.js';
import { Replica } from '../../src/trainer/engine/replica.js';
import { farStatisticsWeights } from '../helpers/gradient-models.js';

/** BatchNorm in every position folding must handle: after a linear conv, after a relu conv (not foldable), first. */
const ODD: LayerSpec[] = [
  { type: 'batchNorm' },
  { type: 'conv2d', filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', activation: 'linear' },
  { type: 'dropout', rate: 0.5 },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 12, activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'dense', units: 10, activation: 'linear' },
  { type: 'activation', activation: 'softmax' },
];

function images(count: number): Float32Array {
  const d = loadMnistDigits();
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = d.pixels[i * 7 % d.pixels.length] / 255;
  return x;
}

const usable = (await availableBackends()).filter((b) => b.available).map((b) => b.name);

describe('prediction with BatchNorm folded into the kernels', () => {
  it('leaves cnn-strong as one fused op per conv/dense block', () => {
    const plan = planModel(presets['cnn-strong'].hyperparams.model);
    const steps = foldInference(plan, farStatisticsWeights(plan, 1));
    expect(steps.map((s) => (s.op === 'conv2d' || s.op === 'dense' ? `${s.op}:${s.act}` : s.op))).toEqual([
      ...Array(6).fill('conv2d:relu'), 'flatten', 'dense:relu', 'dense:linear',
    ]);
  });

  for (const backend of usable) {
    for (const [name, layers] of [['cnn-strong', presets['cnn-strong'].hyperparams.model], ['odd BatchNorm places', ODD]] as const) {
      it(`matches the unfused forward pass on ${backend}: ${name}`, async () => {
        await resolveBackend(backend);
        await useBackend(backend);
        const plan = planModel([...layers]);
        const replica = new Replica(plan, 0);
        try {
          replica.loadWeights(farStatisticsWeights(plan, 5));
          const x = images(backend === 'cpu' ? 6 : 40);
          const folded = replica.predict(x, { chunk: 16 });
          const plain = replica.predict(x, { fold: false, chunk: 16 });
          let worst = 0;
          for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(folded[i] - plain[i]));
          expect(worst).toBeLessThan(2e-5);
          // The probabilities are not all alike (a fold that zeroed everything would match a zeroed forward).
          expect(Math.max(...plain) - Math.min(...plain)).toBeGreaterThan(0.05);
          // New weights refold: the folded model follows loadWeights.
          replica.loadWeights(farStatisticsWeights(plan, 6));
          const again = replica.predict(x.subarray(0, 784 * 4));
          const againPlain = replica.predict(x.subarray(0, 784 * 4), { fold: false });
          again.forEach((p, i) => expect(Math.abs(p - againPlain[i])).toBeLessThan(2e-5));
          expect(Math.abs(again[0] - folded[0])).toBeGreaterThan(0);
        } finally {
          replica.dispose();
        }
      }, 60_000);
    }
  }
});
