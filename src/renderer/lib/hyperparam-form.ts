// The New run form's shape: every hyperparameter as an always-present field, with on/off switches for the
// optional parts (callbacks, decay, augmentation), converted to and from the contract's Hyperparams.

import type { Hyperparams, Monitor } from '../../shared/hyperparams.js';
import type { LayerSpec } from '../../shared/model-spec.js';
import { issuesOf, type Issue } from '../../shared/errors.js';

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
  batchNormStats: Hyperparams['batchNormStats'];
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
    batchNormStats: hp.batchNormStats,
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
    batchNormStats: f.batchNormStats,
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

// The form's own wording for each path the core names: the GUI lists problems by these labels, never by the
// contract's keys ("batchSize", "validation.ratio"), which stay in the CLI's messages.
/** Each hyperparameter's label in New run and on the run page (the runs filter accepts them too). */
export const FIELD_LABELS: Record<string, string> = {
  epochs: 'Epochs',
  batchSize: 'Batch size',
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  momentum: 'Momentum',
  seed: 'Seed',
  'validation.mode': 'Validation split',
  'validation.ratio': 'Validation ratio',
  shuffleBuffer: 'Buffer size',
  'reduceLrOnPlateau.monitor': 'ReduceLROnPlateau monitor',
  'reduceLrOnPlateau.factor': 'ReduceLROnPlateau factor',
  'reduceLrOnPlateau.patience': 'ReduceLROnPlateau patience',
  'reduceLrOnPlateau.minLr': 'ReduceLROnPlateau min lr',
  'reduceLrOnPlateau.minDelta': 'ReduceLROnPlateau min delta',
  'earlyStopping.monitor': 'EarlyStopping monitor',
  'earlyStopping.patience': 'EarlyStopping patience',
  'earlyStopping.minDelta': 'EarlyStopping min delta',
  'earlyStopping.restoreBest': 'Restore best weights',
  'lrDecay.rate': 'Learning-rate decay rate',
  'augmentation.rotation': 'Augmentation rotation',
  'augmentation.zoom': 'Augmentation zoom',
  'augmentation.shift': 'Augmentation shift',
  model: 'Model',
  batchNormStats: 'BatchNorm statistics',
  // Whole parts, as Compare shows them when they are off in every run.
  reduceLrOnPlateau: 'ReduceLROnPlateau',
  earlyStopping: 'EarlyStopping',
  lrDecay: 'Learning-rate decay',
  augmentation: 'Augmentation',
};

const LAYER_FIELDS: Record<string, string> = {
  type: 'type', filters: 'filters', kernelSize: 'kernel size', strides: 'strides', padding: 'padding', activation: 'activation',
  poolSize: 'pool size', rate: 'rate', units: 'units',
};

/** "batchSize" → "Batch size", "model[3].kernelSize" → "Layer 4 kernel size". */
export function fieldLabel(path: string): string {
  const layer = /^model\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (layer) return `Layer ${Number(layer[1]) + 1}${layer[2] ? ` ${LAYER_FIELDS[layer[2]] ?? layer[2]}` : ''}`;
  return FIELD_LABELS[path] ?? path;
}

/** A message shown beside its field, as a sentence: "Must be an integer from 1 to 1000 (it is empty)." */
export function sentence(text: string): string {
  const s = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/**
 * Every problem the core found in the settings, each with its path and a message without the path: schema
 * failures list all their issues; a model-shape failure names one layer ("model: layer 4 (conv2d): …").
 */
export function problemsOf(err: unknown): Issue[] {
  const issues = issuesOf(err);
  if (issues) return issues;
  const text = err instanceof Error ? err.message : String(err);
  const path = (err as { details?: { path?: unknown } }).details?.path;
  if (typeof path !== 'string' || !path) return [{ path: '', message: text }];
  const head = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
  return [{ path, message: head && text.startsWith(`${head}: `) ? text.slice(head.length + 2) : text }];
}
