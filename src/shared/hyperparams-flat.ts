// Hyperparameters as flat "path → text" pairs: how Compare lines runs up, and how the runs table summarises a run's
// changes from its preset.

import type { LayerSpec } from './model-spec.js';

/** One layer in a few words: "conv2d 32 5×5 same relu", "maxPool2d 2", "dense 10 softmax". */
export function layerText(l: LayerSpec): string {
  switch (l.type) {
    case 'conv2d':
      return `conv2d ${l.filters} ${l.kernelSize}×${l.kernelSize}${l.strides && l.strides > 1 ? ` /${l.strides}` : ''} ${l.padding} ${l.activation}`;
    case 'maxPool2d':
      return `maxPool2d ${l.poolSize}${l.strides ? ` /${l.strides}` : ''}`;
    case 'dense':
      return `dense ${l.units} ${l.activation}`;
    case 'dropout':
      return `dropout ${l.rate}`;
    case 'activation':
      return `activation ${l.activation}`;
    default:
      return l.type;
  }
}

/**
 * { a: { b: 1 } } → { 'a.b': '1' }; a switched-off part (null) is "off", the whole-set shuffle is "whole set", and
 * the model is its layers in words (whole, not a clipped JSON string).
 */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (prefix === 'model' && Array.isArray(value)) {
    out[prefix] = (value as LayerSpec[]).map(layerText).join(' → ');
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value === null) {
    out[prefix] = prefix === 'shuffleBuffer' ? 'whole set' : 'off';
  } else if (value !== undefined) {
    out[prefix] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return out;
}
