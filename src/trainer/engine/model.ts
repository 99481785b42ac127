// Turns a LayerSpec[] into a checked plan: Keras-style names, shapes, parameter layout in one flat Float32Array,
// seeded Keras-default initial weights and the summary the UI shows.

import { badInput } from '../../shared/errors.js';
import type { LayerSpec, ModelSummary } from '../../shared/model-spec.js';
import { seededUniform } from './random.js';

export const INPUT_SHAPE = [28, 28, 1] as const;
export const CLASSES = 10;
/** Keras BatchNormalization defaults (tfjs-layers uses the same). */
export const BN_MOMENTUM = 0.99;
export const BN_EPSILON = 1e-3;

export interface ParamSlot {
  /** "conv2d/kernel", "batch_normalization/moving_mean", … as tfjs-layers names them. */
  name: string;
  shape: number[];
  offset: number;
  size: number;
  trainable: boolean;
}

export interface PlannedLayer {
  spec: LayerSpec;
  index: number;
  name: string;
  className: string;
  inShape: number[];
  outShape: number[];
  params: ParamSlot[];
}

export interface ModelPlan {
  layers: PlannedLayer[];
  params: ParamSlot[];
  /** Length of the flat weight (and gradient) array. */
  size: number;
  /** The last layer's softmax is folded into the loss: forward passes stop at the logits. */
  logitsOnly: true;
  /** Channels of each BatchNorm layer in order; their batch statistics travel as one array. */
  bnChannels: number[];
}

const KERAS: Record<LayerSpec['type'], [string, string]> = {
  conv2d: ['conv2d', 'Conv2D'],
  maxPool2d: ['max_pooling2d', 'MaxPooling2D'],
  batchNorm: ['batch_normalization', 'BatchNormalization'],
  activation: ['activation', 'Activation'],
  dropout: ['dropout', 'Dropout'],
  flatten: ['flatten', 'Flatten'],
  dense: ['dense', 'Dense'],
};

function outputShape(spec: LayerSpec, inShape: number[], where: string): number[] {
  const [h, w, c] = inShape;
  switch (spec.type) {
    case 'conv2d':
    case 'maxPool2d': {
      if (inShape.length !== 3) throw badInput(`${where} needs an image input; put it before flatten`);
      const k = spec.type === 'conv2d' ? spec.kernelSize : spec.poolSize;
      const s = spec.strides ?? (spec.type === 'conv2d' ? 1 : spec.poolSize);
      const same = spec.type === 'conv2d' && spec.padding === 'same';
      if (!(k >= 1 && s >= 1)) throw badInput(`${where}: kernel/pool size and strides must be ≥ 1`);
      const size = (n: number) => (same ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
      const [oh, ow] = [size(h), size(w)];
      if (oh < 1 || ow < 1) throw badInput(`${where} shrinks the ${h}×${w} input to nothing`);
      return [oh, ow, spec.type === 'conv2d' ? spec.filters : c];
    }
    case 'flatten':
      return [inShape.reduce((a, b) => a * b, 1)];
    case 'dense':
      if (inShape.length !== 1) throw badInput(`${where} needs a flat input; add a flatten layer before it`);
      return [spec.units];
    case 'dropout':
      if (!(spec.rate >= 0 && spec.rate < 1)) throw badInput(`${where}: dropout rate must be in [0, 1)`);
      return inShape;
    default:
      return inShape;
  }
}

/** Validates the spec (28×28×1 in, 10-way softmax out) and lays the parameters out. */
export function planModel(layers: LayerSpec[]): ModelPlan {
  if (!Array.isArray(layers) || layers.length === 0) throw badInput('A model needs at least one layer');
  const counts = new Map<string, number>();
  const planned: PlannedLayer[] = [];
  const params: ParamSlot[] = [];
  const bnChannels: number[] = [];
  let offset = 0;
  let shape: number[] = [...INPUT_SHAPE];
  for (const [index, spec] of layers.entries()) {
    const keras = KERAS[spec?.type];
    if (!keras) throw badInput(`Layer ${index + 1} has an unknown type "${String(spec?.type)}"`);
    const n = counts.get(keras[0]) ?? 0;
    counts.set(keras[0], n + 1);
    const name = n === 0 ? keras[0] : `${keras[0]}_${n}`;
    const outShape = outputShape(spec, shape, `Layer ${index + 1} (${name})`);
    const slots: [string, number[], boolean][] = [];
    if (spec.type === 'conv2d') slots.push(['kernel', [spec.kernelSize, spec.kernelSize, shape[2], spec.filters], true], ['bias', [spec.filters], true]);
    if (spec.type === 'dense') slots.push(['kernel', [shape[0], spec.units], true], ['bias', [spec.units], true]);
    if (spec.type === 'batchNorm') {
      const c = shape[shape.length - 1];
      bnChannels.push(c);
      slots.push(['gamma', [c], true], ['beta', [c], true], ['moving_mean', [c], false], ['moving_variance', [c], false]);
    }
    const layerParams = slots.map(([suffix, pShape, trainable]) => {
      const size = pShape.reduce((a, b) => a * b, 1);
      const slot = { name: `${name}/${suffix}`, shape: pShape, offset, size, trainable };
      offset += size;
      return slot;
    });
    params.push(...layerParams);
    planned.push({ spec, index, name, className: keras[1], inShape: shape, outShape, params: layerParams });
    shape = outShape;
  }
  const last = layers[layers.length - 1];
  const endsInSoftmax = (last.type === 'dense' || last.type === 'activation') && last.activation === 'softmax';
  if (!endsInSoftmax || shape.length !== 1 || shape[0] !== CLASSES) {
    throw badInput(`The model must end in a ${CLASSES}-unit softmax (dense ${CLASSES}, activation softmax)`);
  }
  return { layers: planned, params, size: offset, logitsOnly: true, bnChannels };
}

/** Keras defaults: glorot-uniform kernels, zero biases and betas, unit gammas and moving variances. */
export function initialWeights(plan: ModelPlan, seed: number): Float32Array {
  const w = new Float32Array(plan.size);
  for (const layer of plan.layers) {
    for (const [i, p] of layer.params.entries()) {
      const view = w.subarray(p.offset, p.offset + p.size);
      if (p.name.endsWith('/kernel')) {
        const receptive = p.shape.slice(0, -2).reduce((a, b) => a * b, 1);
        const fanIn = receptive * p.shape[p.shape.length - 2];
        const fanOut = receptive * p.shape[p.shape.length - 1];
        seededUniform(view, Math.sqrt(6 / (fanIn + fanOut)), seed, layer.index, i);
      } else if (p.name.endsWith('/gamma') || p.name.endsWith('/moving_variance')) {
        view.fill(1);
      }
    }
  }
  return w;
}

export function summarize(plan: ModelPlan): ModelSummary {
  const rows = plan.layers.map((l) => ({
    layer: `${l.name} (${l.className})`,
    outputShape: [null, ...l.outShape],
    params: l.params.reduce((a, p) => a + p.size, 0),
  }));
  const totalParams = plan.size;
  const trainableParams = plan.params.filter((p) => p.trainable).reduce((a, p) => a + p.size, 0);
  return { rows, totalParams, trainableParams };
}
