// The New run form's shape: every hyperparameter as an always-present field, with on/off switches for the
// optional parts (callbacks, decay, augmentation), converted to and from the contract's Hyperparams.

import type { Hyperparams, Monitor } from '../../shared/hyperparams.js';
import type { LayerSpec } from '../../shared/model-spec.js';

export interface FormValues {
  epochs: number;
  batchSize: number;
  optimizer: Hyperparams['optimizer'];
  learningRate: number;
  momentum: number;
  validation: { mode: 'tail' | 'stratified'; ratio: number };
  seed: number;
  shuffleFull: boolean;
  shuffleBuffer: number;
  rlrOn: boolean;
  reduceLrOnPlateau: { monitor: Monitor; factor: number; patience: number; minLr: number; minDelta: number };
  esOn: boolean;
  earlyStopping: { monitor: Monitor; patience: number; minDelta: number; restoreBest: boolean };
  decayOn: boolean;
  lrDecay: { rate: number };
  augOn: boolean;
  augmentation: { rotation: number; zoom: number; shift: number };
  model: LayerSpec[];
}

// Starting values for a part the preset leaves off (switching it on shows sensible numbers, not blanks).
const FALLBACK = {
  shuffleBuffer: 1000,
  reduceLrOnPlateau: { monitor: 'val_loss', factor: 0.5, patience: 3, minLr: 1e-5, minDelta: 1e-4 },
  earlyStopping: { monitor: 'val_loss', patience: 5, minDelta: 0, restoreBest: true },
  lrDecay: { rate: 0.95 },
  augmentation: { rotation: 10, zoom: 0.1, shift: 0.1 },
} as const;

export function toForm(hp: Hyperparams): FormValues {
  return structuredClone({
    epochs: hp.epochs,
    batchSize: hp.batchSize,
    optimizer: hp.optimizer,
    learningRate: hp.learningRate,
    momentum: hp.momentum,
    validation: hp.validation,
    seed: hp.seed,
    shuffleFull: hp.shuffleBuffer === null,
    shuffleBuffer: hp.shuffleBuffer ?? FALLBACK.shuffleBuffer,
    rlrOn: hp.reduceLrOnPlateau !== null,
    reduceLrOnPlateau: hp.reduceLrOnPlateau ?? { ...FALLBACK.reduceLrOnPlateau },
    esOn: hp.earlyStopping !== null,
    earlyStopping: hp.earlyStopping ?? { ...FALLBACK.earlyStopping },
    decayOn: hp.lrDecay !== null,
    lrDecay: hp.lrDecay ?? { ...FALLBACK.lrDecay },
    augOn: hp.augmentation !== null,
    augmentation: hp.augmentation ?? { ...FALLBACK.augmentation },
    model: hp.model,
  }) as FormValues;
}

/** The full hyperparameters the core validates (a cleared number input is null and fails there, by field). */
export function toHyperparams(f: FormValues): Hyperparams {
  return structuredClone({
    epochs: f.epochs,
    batchSize: f.batchSize,
    optimizer: f.optimizer,
    learningRate: f.learningRate,
    momentum: f.momentum,
    validation: { mode: f.validation.mode, ratio: f.validation.ratio },
    seed: f.seed,
    shuffleBuffer: f.shuffleFull ? null : f.shuffleBuffer,
    reduceLrOnPlateau: f.rlrOn ? { ...f.reduceLrOnPlateau } : null,
    earlyStopping: f.esOn ? { ...f.earlyStopping } : null,
    lrDecay: f.decayOn ? { ...f.lrDecay } : null,
    augmentation: f.augOn ? { ...f.augmentation } : null,
    model: f.model.map((l) => ({ ...l })),
  });
}

/** A new layer of the given type with ordinary settings. */
export function defaultLayer(type: LayerSpec['type']): LayerSpec {
  switch (type) {
    case 'conv2d':
      return { type, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' };
    case 'maxPool2d':
      return { type, poolSize: 2 };
    case 'dense':
      return { type, units: 128, activation: 'relu' };
    case 'dropout':
      return { type, rate: 0.25 };
    case 'activation':
      return { type, activation: 'relu' };
    default:
      return { type };
  }
}

export const LAYER_TYPES: LayerSpec['type'][] = ['conv2d', 'maxPool2d', 'batchNorm', 'activation', 'dropout', 'flatten', 'dense'];
