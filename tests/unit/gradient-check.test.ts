// The hand-written backward passes against automatic differentiation: a Replica's parameter gradients for a batch,
// and its saliency maps, must equal tf.grads of the same model written with plain tfjs ops (on the cpu backend,
// tfjs's own kernels).

import { describe, expect, it } from 'vitest';
import { availableBackends, useBackend } from '../../src/trainer/engine/backend.js';
import { planModel } from '../../src/trainer/engine/model.js';
import { Replica } from '../../src/trainer/engine/replica.js';
import { referenceGradients, referenceSaliency } from '../helpers/autodiff-reference.js';
import { expectGradientsClose, GRADIENT_MODELS, someDigits, trainedLookingWeights } from '../helpers/gradient-models.js';

// Every backend that loads here (tfjs-node only where its native library does); none is assumed.
const backends = (await availableBackends()).filter((b) => b.available).map((b) => b.name);

/**
 * Float32 throughout: each gradient element is a sum of up to a few thousand products that each backend's kernels
 * add in another order, and BatchNorm's backward pass subtracts nearly equal means. Measured here: at most 2e-5 of
 * a slot's largest gradient on cpu and wasm. 2e-4 leaves ten times that, and stays far below what a wrong index,
 * tap, channel or missing term produces (1e-2 and up).
 */
const REL = 2e-4;

describe.each(backends)('gradients on %s equal autodiff', (backend) => {
  for (const [name, layers] of Object.entries(GRADIENT_MODELS)) {
    it(name, async () => {
      await useBackend(backend);
      const plan = planModel(layers);
      const weights = trainedLookingWeights(plan, 5);
      const { x, y } = someDigits(7, 13);
      const step = 4;
      const replica = new Replica(plan, 21);
      replica.loadWeights(weights);
      const grads = new Float32Array(plan.size);
      const result = replica.trainShare({ x, y, first: 0, total: y.length, step }, grads);
      replica.dispose();
      const ref = await referenceGradients(plan, weights, x, y, { seed: 21, step });
      expect(result.lossSum / y.length).toBeCloseTo(ref.loss, 4);
      expectGradientsClose(plan, grads, ref.grads, REL);
    });
  }
});

describe.each(backends)('saliency on %s equals autodiff', (backend) => {
  for (const [name, layers] of Object.entries(GRADIENT_MODELS)) {
    // Inference mode: BatchNorm on its moving statistics (away from 0 and 1 here), no dropout.
    it(name, async () => {
      await useBackend(backend);
      const plan = planModel(layers);
      const weights = trainedLookingWeights(plan, 8);
      const { x, y } = someDigits(1, 31);
      const replica = new Replica(plan, 1);
      replica.loadWeights(weights);
      const ours = replica.saliency(x, y[0]);
      replica.dispose();
      const ref = await referenceSaliency(plan, weights, x, y[0]);
      const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(0);
      const worst = ours.reduce((a, v, i) => Math.max(a, Math.abs(v - ref[i])), 0);
      expect(worst / scale).toBeLessThan(REL);
    });
  }
});
