// Model artifacts that `tf.loadLayersModel` reads: the same layers rebuilt with tfjs-layers (so the topology is
// exactly what tfjs expects), given our weights, then serialised through a save handler.

import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, type ModelPlan } from './model.js';
import type { ModelArtifacts } from './types.js';

function buildLayer(layer: ModelPlan['layers'][number], first: boolean): tf.layers.Layer {
  const spec = layer.spec;
  const base = { name: layer.name, ...(first ? { inputShape: [...INPUT_SHAPE] } : {}) };
  switch (spec.type) {
    case 'conv2d':
      return tf.layers.conv2d({ ...base, filters: spec.filters, kernelSize: spec.kernelSize, strides: spec.strides ?? 1, padding: spec.padding, activation: spec.activation });
    case 'maxPool2d':
      return tf.layers.maxPooling2d({ ...base, poolSize: spec.poolSize, strides: spec.strides ?? spec.poolSize, padding: 'valid' });
    case 'batchNorm':
      return tf.layers.batchNormalization({ ...base });
    case 'activation':
      return tf.layers.activation({ ...base, activation: spec.activation });
    case 'dropout':
      return tf.layers.dropout({ ...base, rate: spec.rate });
    case 'flatten':
      return tf.layers.flatten({ ...base });
    case 'dense':
      return tf.layers.dense({ ...base, units: spec.units, activation: spec.activation });
  }
}

/** Must run with a tfjs backend active; `weights` is the plan's flat layout. */
export async function exportArtifacts(plan: ModelPlan, weights: Float32Array): Promise<ModelArtifacts> {
  const model = tf.sequential({ layers: plan.layers.map((l, i) => buildLayer(l, i === 0)) });
  try {
    // Per layer: a model lists all trainable weights before the moving statistics, a layer keeps ours.
    for (const [i, layer] of plan.layers.entries()) {
      if (!layer.params.length) continue;
      const values = layer.params.map((p) => tf.tensor(weights.slice(p.offset, p.offset + p.size), p.shape));
      model.layers[i].setWeights(values);
      tf.dispose(values);
    }
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    if (!saved?.modelTopology || !saved.weightSpecs || !saved.weightData) throw new Error('tfjs produced no model artifacts');
    const data = saved.weightData instanceof ArrayBuffer ? saved.weightData : tf.io.concatenateArrayBuffers(saved.weightData);
    return {
      modelTopology: saved.modelTopology as object,
      weightSpecs: saved.weightSpecs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' as const })),
      weightData: data,
    };
  } finally {
    model.dispose();
  }
}
