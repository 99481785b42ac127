// A Keras-style model summary computed from the layer list alone (shapes and parameter counts), so the New run
// view can show it before anything trains. Input is always 28×28×1.

import type { LayerSpec, ModelSummary, SummaryRow } from './model-spec.js';
import { badInput } from './errors.js';

function layerError(index: number, message: string) {
  return badInput(`model: ${message}`, { path: `model[${index}]` });
}

const keras: Record<LayerSpec['type'], [string, string]> = {
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

/** Throws a bad-input error naming the layer (details.path model[i]) when a shape cannot work. */
export function summarize(layers: LayerSpec[]): ModelSummary {
  let shape: number[] = [28, 28, 1];
  const counters = new Map<string, number>();
  const rows: SummaryRow[] = [];
  let total = 0;
  let trainable = 0;
  layers.forEach((layer, i) => {
    const [base, cls] = keras[layer.type];
    const n = counters.get(base) ?? 0;
    counters.set(base, n + 1);
    const name = `${n === 0 ? base : `${base}_${n}`} (${cls})`;
    let params = 0;
    let nonTrainable = 0;
    const where = `layer ${i + 1} (${layer.type})`;
    switch (layer.type) {
      case 'conv2d': {
        if (shape.length !== 3) throw layerError(i, `${where}: a convolution needs an image input, not a flat vector`);
        const s = layer.strides ?? 1;
        const [h, w] = [outSize(shape[0], layer.kernelSize, s, layer.padding), outSize(shape[1], layer.kernelSize, s, layer.padding)];
        if (h < 1 || w < 1) throw layerError(i, `${where}: the ${layer.kernelSize}×${layer.kernelSize} kernel is larger than its ${shape[0]}×${shape[1]} input`);
        params = layer.kernelSize * layer.kernelSize * shape[2] * layer.filters + layer.filters;
        shape = [h, w, layer.filters];
        break;
      }
      case 'maxPool2d': {
        if (shape.length !== 3) throw layerError(i, `${where}: pooling needs an image input, not a flat vector`);
        const s = layer.strides ?? layer.poolSize;
        const [h, w] = [outSize(shape[0], layer.poolSize, s, 'valid'), outSize(shape[1], layer.poolSize, s, 'valid')];
        if (h < 1 || w < 1) throw layerError(i, `${where}: the pool is larger than its ${shape[0]}×${shape[1]} input`);
        shape = [h, w, shape[2]];
        break;
      }
      case 'batchNorm': {
        const c = shape[shape.length - 1];
        params = 4 * c;
        nonTrainable = 2 * c; // moving mean and variance
        break;
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        if (shape.length !== 1) throw layerError(i, `${where}: a dense layer needs a flat input: add a flatten layer before it`);
        params = shape[0] * layer.units + layer.units;
        shape = [layer.units];
        break;
      default:
        break;
    }
    total += params;
    trainable += params - nonTrainable;
    rows.push({ layer: name, outputShape: [null, ...shape], params });
  });
  const lastIndex = layers.length - 1;
  if (shape.length !== 1 || shape[0] !== 10) throw layerError(lastIndex, 'the last layer must output the 10 classes (dense 10 softmax)');
  const last = layers[lastIndex];
  if (last.type !== 'dense' || last.activation !== 'softmax') throw layerError(lastIndex, 'the last layer must be dense 10 with softmax');
  return { rows, totalParams: total, trainableParams: trainable };
}
