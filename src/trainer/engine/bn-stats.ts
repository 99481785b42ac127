// The statistics BatchNorm layers normalise with at inference, kept in the weights' moving_mean/moving_variance
// slots so that validation, prediction, folding and both exports read the same numbers (see BN_STATS).

import type { BnStats } from '../../shared/hyperparam-choices.js';
import { poolMoments } from './batch-norm.js';
import { BN_MOMENTUM, type ModelPlan, type PlannedLayer } from './model.js';

export type { BnStats };

function bnLayers(plan: ModelPlan): PlannedLayer[] {
  return plan.layers.filter((l) => l.spec.type === 'batchNorm');
}

/**
 * After training step t (1-based) with the batch statistics `stats` (per BatchNorm layer: means then biased
 * variances), updates the moving statistics in `weights`:
 * - keras: moving = μ · moving + (1 − μ) · batch, from Keras's start (mean 0, variance 1);
 * - debiased: the average Adam would keep, m_t = μ m_{t−1} + (1 − μ) x_t from 0, divided by 1 − μᵗ. Stored
 *   already divided: d_t = d_{t−1} + (1 − μ)/(1 − μᵗ) · (x_t − d_{t−1}), so the slots always hold what inference
 *   uses and t (the engine's step, saved in every checkpoint) is all a resume needs;
 * - recomputed: the Keras update too (harmless: the slots are replaced before every validation).
 */
export function updateMovingStats(plan: ModelPlan, weights: Float32Array, stats: Float32Array[], mode: BnStats, t: number): void {
  const rate = mode === 'debiased' ? (1 - BN_MOMENTUM) / (1 - BN_MOMENTUM ** t) : 1 - BN_MOMENTUM;
  bnLayers(plan).forEach((layer, b) => {
    const c = plan.bnChannels[b];
    const s = stats[b];
    const [, , mm, mv] = layer.params;
    for (let k = 0; k < c; k++) {
      if (mode === 'debiased') {
        weights[mm.offset + k] += rate * (s[k] - weights[mm.offset + k]);
        weights[mv.offset + k] += rate * (s[c + k] - weights[mv.offset + k]);
      } else {
        // Keras's own expression order, kept so `keras` runs stay bit for bit what they were.
        weights[mm.offset + k] = weights[mm.offset + k] * BN_MOMENTUM + s[k] * rate;
        weights[mv.offset + k] = weights[mv.offset + k] * BN_MOMENTUM + s[c + k] * rate;
      }
    }
  });
}

/**
 * Population statistics from several batches' training-mode statistics: for each BatchNorm layer, the mean and
 * biased variance over every value of every batch (each batch's [count, mean, variance] pooled exactly), written to
 * the moving slots. `counts[i]` is the number of images in batch i.
 */
export function setPopulationStats(plan: ModelPlan, weights: Float32Array, batches: Float32Array[][], counts: number[]): void {
  bnLayers(plan).forEach((layer, b) => {
    const c = plan.bnChannels[b];
    const perImage = layer.inShape.slice(0, -1).reduce((a, d) => a * d, 1);
    const parts = batches.map((stats, i) => {
      const n = counts[i] * perImage;
      const part = new Float64Array(1 + 2 * c);
      part[0] = n;
      for (let k = 0; k < c; k++) [part[1 + k], part[1 + c + k]] = [stats[b][k], stats[b][c + k] * n];
      return part;
    });
    const { mean, variance } = poolMoments(parts, c);
    const [, , mm, mv] = layer.params;
    weights.set(mean, mm.offset);
    weights.set(variance, mv.offset);
  });
}
