// The whole engine step against automatic differentiation, with 1 and 2 data-parallel replicas: the update must
// follow the gradient of the whole batch (BatchNorm on the whole batch's statistics, as Keras trains on one
// device), and the moving statistics must follow the whole batch's too.
// Loads build/node/trainer/engine/worker.js: run `npm run build:node` first (npm test does).

import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends, createEngine, planModel, type Engine } from '../../src/trainer/engine/index.js';
import { referenceGradients } from '../helpers/autodiff-reference.js';
import { expectGradientsClose, GRADIENT_MODELS, someDigits, trainedLookingWeights } from '../helpers/gradient-models.js';

const backends = (await availableBackends()).filter((b) => b.available).map((b) => b.name);

/**
 * Plain SGD with a learning rate of 2^10: the step's gradient reads back exactly as (w0 − w1) / lr up to the
 * rounding of w1, which is about 6e-8 of lr·g, plus 6e-8·|w0|/lr — far below the 2e-4 tolerance of the replica
 * check (gradient-check.test.ts explains it).
 */
const LR = 1024;
const REL = 2e-4;

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.dispose()));
});

describe.each(backends)('one engine step on %s follows the whole batch gradient', (backend) => {
  for (const [name, layers] of Object.entries(GRADIENT_MODELS)) {
    it.each([1, 2])(`${name}, %i worker(s)`, async (workers) => {
      const plan = planModel(layers);
      const seed = 9;
      const e = await createEngine({ layers, optimizer: { name: 'sgd', learningRate: LR }, seed, backend, workers });
      engines.push(e);
      expect(e.workers).toBe(workers);
      const w0 = trainedLookingWeights(plan, 6);
      const state = await e.saveState();
      await e.loadState({ ...state, weights: new Uint8Array(w0.slice().buffer) });
      // An odd batch: the replicas' shares differ in size (4 and 5).
      const { x, y } = someDigits(9, 17);
      const result = await e.trainBatch(x, y);
      const w1 = new Float32Array((await e.saveState()).weights.slice().buffer);
      const ref = await referenceGradients(plan, w0, x, y, { seed, step: state.step });

      expect(result.loss).toBeCloseTo(ref.loss, 4);
      const grads = w0.map((v, i) => (v - w1[i]) / LR);
      expectGradientsClose(plan, grads, ref.grads, REL);
      for (const p of plan.params.filter((q) => !q.trainable)) {
        for (let i = p.offset; i < p.offset + p.size; i++) expect(w1[i], p.name).toBeCloseTo(ref.moving[i], 5);
      }
    });
  }
});
