// Hyperparameters of a run: the preset's defaults with any field overridden, validated field by field.

import type * as z from 'zod';
import * as s from './validation.js';
import { layerSchema, OPTIMIZERS } from './model-spec.js';
import { BN_STATS, MONITORS, type BnStats, type PresetName } from './hyperparam-choices.js';

export { BN_STATS, MONITORS, PRESET_NAMES, type BnStats, type Monitor, type PresetName } from './hyperparam-choices.js';

export const hyperparamsSchema = s.object({
  epochs: s.int({ min: 1, max: 1000 }),
  batchSize: s.int({ min: 1, max: 4096 }),
  optimizer: s.oneOf(OPTIMIZERS),
  learningRate: s.num({ min: 0, max: 10, exclusiveMin: true }),
  momentum: s.num({ min: 0, max: 0.999 }),
  /** kfold: validate on fold `fold.index` of `fold.count` stratified folds (the label-issues job's cross-validation). */
  validation: s.object({
    mode: s.oneOf(['tail', 'stratified', 'kfold'] as const),
    ratio: s.num({ min: 0.01, max: 0.5 }),
    fold: s.optional(s.object({ count: s.int({ min: 2, max: 20 }), index: s.int({ min: 0, max: 19 }) })),
  }),
  seed: s.int({ min: 0, max: 2 ** 31 - 1 }),
  /** tf.data-style shuffle buffer (the seed notebook uses 100); null shuffles the whole training set each epoch. */
  shuffleBuffer: s.nullable(s.int({ min: 1, max: 1_000_000 })),
  reduceLrOnPlateau: s.nullable(
    s.object({
      monitor: s.oneOf(MONITORS),
      factor: s.num({ min: 0, max: 0.999, exclusiveMin: true }),
      patience: s.int({ min: 0, max: 100 }),
      minLr: s.num({ min: 0, max: 1 }),
      minDelta: s.num({ min: 0, max: 1 }),
    }),
  ),
  /** restoreBest: the run ends with the best epoch's weights (highest val accuracy) as its "last" weights. */
  earlyStopping: s.nullable(
    s.object({ monitor: s.oneOf(MONITORS), patience: s.int({ min: 0, max: 100 }), minDelta: s.num({ min: 0, max: 1 }), restoreBest: s.bool }),
  ),
  /** lr(epoch) = learningRate × rate^(epoch−1): the Keras LearningRateScheduler of strong Kaggle CNNs. */
  lrDecay: s.nullable(s.object({ rate: s.num({ min: 0, max: 1, exclusiveMin: true }) })),
  augmentation: s.nullable(
    s.object({ rotation: s.num({ min: 0, max: 45 }), zoom: s.num({ min: 0, max: 0.5 }), shift: s.num({ min: 0, max: 0.3 }) }),
  ),
  model: s.array(layerSchema, { min: 1, max: 64 }),
  /** What BatchNorm layers normalise with at inference (see BN_STATS); runs stored before it existed read as keras. */
  batchNormStats: s.oneOf(BN_STATS),
});

export type Hyperparams = z.output<typeof hyperparamsSchema>;

export interface PresetInfo {
  name: PresetName;
  title: string;
  description: string;
  hyperparams: Hyperparams;
}

/**
 * A run's stored hyperparameters: runs from before batchNormStats existed trained with Keras's moving averages, so
 * they read as `keras` (not as whatever the preset's default is now).
 */
export function storedHyperparams(json: string): Hyperparams {
  const hp = JSON.parse(json) as Omit<Hyperparams, 'batchNormStats'> & { batchNormStats?: BnStats };
  return { ...hp, batchNormStats: hp.batchNormStats ?? 'keras' };
}

/** Whether the model has a BatchNorm layer (batchNormStats means nothing without one). */
export function hasBatchNorm(hp: Pick<Hyperparams, 'model'>): boolean {
  return hp.model.some((l) => l.type === 'batchNorm');
}
