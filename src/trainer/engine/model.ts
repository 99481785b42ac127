// Turns a LayerSpec[] into a checked plan: the shapes and parameter tensors of src/shared/model-summary.ts (the
// one definition the UI's summary uses too) laid out in one flat Float32Array, and seeded Keras-default weights.

import { CLASSES } from '../../shared/digits.js';
import type { LayerSpec, ModelSummary } from '../../shared/model-spec.js';
import { layerShapes, summaryOf, type LayerShape, type ParamShape } from '../../shared/model-summary.js';
import { seededUniform } from './random.js';

export { INPUT_SHAPE } from '../../shared/model-summary.js';
export { CLASSES };

/** Keras BatchNormalization defaults (tfjs-layers uses the same). */
export const BN_MOMENTUM = 0.99;
export const BN_EPSILON = 1e-3;

/** A parameter tensor and where it sits in the flat weight array. */
export interface ParamSlot extends ParamShape {
  offset: number;
}

export interface PlannedLayer extends LayerShape {
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

/** Validates the spec (28×28×1 in, 10-way softmax out; bad-input naming the layer) and lays the parameters out. */
export function planModel(layers: LayerSpec[]): ModelPlan {
  let offset = 0;
  const planned = layerShapes(layers).map((layer): PlannedLayer => {
    const params = layer.params.map((p) => {
      const slot = { ...p, offset };
      offset += p.size;
      return slot;
    });
    return { ...layer, params };
  });
  const bnChannels = planned.filter((l) => l.spec.type === 'batchNorm').map((l) => l.inShape[l.inShape.length - 1]);
  return { layers: planned, params: planned.flatMap((l) => l.params), size: offset, logitsOnly: true, bnChannels };
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
  return summaryOf(plan.layers);
}
