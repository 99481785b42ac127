// The one definition of a model's shapes: from the layer list alone, each layer's Keras-style name, input and
// output shape and parameter tensors. The New run view's summary and the trainer's weight layout both come from
// it, so what the UI shows is what trains. Input is always 28×28×1, output the 10 classes.

import { CLASSES, SIDE } from './digits.js';
import { badInput } from './errors.js';
import type { LayerSpec, ModelSummary } from './model-spec.js';

export const INPUT_SHAPE = [SIDE, SIDE, 1] as const;

/** One parameter tensor: "conv2d/kernel", "batch_normalization/moving_mean", … as tfjs-layers names them. */
export interface ParamShape {
  name: string;
  shape: number[];
  size: number;
  trainable: boolean;
}

export interface LayerShape {
  spec: LayerSpec;
  index: number;
  /** "conv2d", "conv2d_1", … */
  name: string;
  className: string;
  inShape: number[];
  outShape: number[];
  params: ParamShape[];
}

function layerError(index: number, message: string) {
  return badInput(`model: ${message}`, { path: `model[${index}]` });
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

function outSize(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

function outputShape(layer: LayerSpec, shape: number[], index: number): number[] {
  const where = `layer ${index + 1} (${layer.type})`;
  switch (layer.type) {
    case 'conv2d':
    case 'maxPool2d': {
      const conv = layer.type === 'conv2d';
      if (shape.length !== 3) throw layerError(index, `${where}: ${conv ? 'a convolution' : 'pooling'} needs an image input, not a flat vector`);
      const k = conv ? layer.kernelSize : layer.poolSize;
      const s = layer.strides ?? (conv ? 1 : layer.poolSize);
      // The schema checks these for the core; the trainer and worker processes get them straight off the protocol.
      if (!(k >= 1 && s >= 1)) throw layerError(index, `${where}: the ${conv ? 'kernel' : 'pool'} size and strides must be at least 1`);
      const padding = conv ? layer.padding : 'valid';
      const [h, w] = [outSize(shape[0], k, s, padding), outSize(shape[1], k, s, padding)];
      if (h < 1 || w < 1) throw layerError(index, `${where}: the ${conv ? `${k}×${k} kernel` : 'pool'} is larger than its ${shape[0]}×${shape[1]} input`);
      return [h, w, conv ? layer.filters : shape[2]];
    }
    case 'flatten':
      return [shape.reduce((a, b) => a * b, 1)];
    case 'dense':
      if (shape.length !== 1) throw layerError(index, `${where}: a dense layer needs a flat input: add a flatten layer before it`);
      return [layer.units];
    case 'dropout':
      if (!(layer.rate >= 0 && layer.rate < 1)) throw layerError(index, `${where}: the dropout rate must be at least 0 and below 1`);
      return shape;
    default:
      return shape;
  }
}

/** [suffix, shape, trainable] of each parameter tensor, in the order the weights are laid out. */
function paramShapes(layer: LayerSpec, inShape: number[]): [string, number[], boolean][] {
  switch (layer.type) {
    case 'conv2d':
      return [['kernel', [layer.kernelSize, layer.kernelSize, inShape[2], layer.filters], true], ['bias', [layer.filters], true]];
    case 'dense':
      return [['kernel', [inShape[0], layer.units], true], ['bias', [layer.units], true]];
    case 'batchNorm': {
      const c = inShape[inShape.length - 1];
      return [['gamma', [c], true], ['beta', [c], true], ['moving_mean', [c], false], ['moving_variance', [c], false]];
    }
    default:
      return [];
  }
}

/**
 * Every layer's names, shapes and parameters. Throws a bad-input error naming the layer (details.path model[i])
 * when a shape cannot work, or when the model does not end in a softmax over the 10 classes.
 */
export function layerShapes(layers: LayerSpec[]): LayerShape[] {
  if (!Array.isArray(layers) || layers.length === 0) throw badInput('model: a model needs at least one layer', { path: 'model' });
  const counters = new Map<string, number>();
  let shape: number[] = [...INPUT_SHAPE];
  const out = layers.map((spec, index): LayerShape => {
    const keras = KERAS[spec?.type];
    if (!keras) throw layerError(index, `layer ${index + 1} has an unknown type "${String(spec?.type)}"`);
    const n = counters.get(keras[0]) ?? 0;
    counters.set(keras[0], n + 1);
    const name = n === 0 ? keras[0] : `${keras[0]}_${n}`;
    const outShape = outputShape(spec, shape, index);
    const params = paramShapes(spec, shape).map(([suffix, pShape, trainable]) => ({ name: `${name}/${suffix}`, shape: pShape, size: pShape.reduce((a, b) => a * b, 1), trainable }));
    const layer = { spec, index, name, className: keras[1], inShape: shape, outShape, params };
    shape = outShape;
    return layer;
  });
  const lastIndex = layers.length - 1;
  if (shape.length !== 1 || shape[0] !== CLASSES) throw layerError(lastIndex, `the last layer must output the ${CLASSES} classes (dense ${CLASSES} softmax)`);
  const last = layers[lastIndex];
  // The softmax is folded into the loss when training: it must be the model's last operation.
  if ((last.type !== 'dense' && last.type !== 'activation') || last.activation !== 'softmax') {
    throw layerError(lastIndex, `the last layer must be a softmax: dense ${CLASSES} with softmax, or an activation softmax after ${CLASSES} units`);
  }
  return out;
}

/** The Keras-style summary of planned layers: one row per layer, total and trainable parameter counts. */
export function summaryOf(layers: LayerShape[]): ModelSummary {
  const count = (params: ParamShape[]) => params.reduce((a, p) => a + p.size, 0);
  return {
    rows: layers.map((l) => ({ layer: `${l.name} (${l.className})`, outputShape: [null, ...l.outShape], params: count(l.params) })),
    totalParams: layers.reduce((a, l) => a + count(l.params), 0),
    trainableParams: layers.reduce((a, l) => a + count(l.params.filter((p) => p.trainable)), 0),
  };
}

/** The summary the New run view shows before anything trains; throws as layerShapes does. */
export function summarize(layers: LayerSpec[]): ModelSummary {
  return summaryOf(layerShapes(layers));
}
