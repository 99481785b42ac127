// One definition of a model's shapes: the summary New run shows (the core's preview) is the trainer's weight
// layout, layer by layer, for every preset and every layer type; both refuse the same models with the same
// message naming the layer.
import { describe, expect, it } from 'vitest';
import { presets } from '../../src/core/training/presets.js';
import { previewRun } from '../../src/core/training/start.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { summarize } from '../../src/shared/model-summary.js';
import { planModel, summarize as planSummary } from '../../src/trainer/engine/model.js';
import { GRADIENT_MODELS } from '../helpers/gradient-models.js';

describe('model summary', () => {
  it.each(Object.keys(presets))('preset %s: the previewed summary is the trainer’s layout', (name) => {
    const { hyperparams, summary } = previewRun(name);
    const plan = planModel(hyperparams.model);
    expect(planSummary(plan)).toEqual(summary);
    expect(summary.totalParams).toBe(plan.size);
    // Each row's count is the sizes of the tensors the trainer lays out for that layer.
    expect(summary.rows.map((r) => r.params)).toEqual(plan.layers.map((l) => l.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0)));
  });

  it.each(Object.entries(GRADIENT_MODELS))('%s: every layer type and option', (_, layers) => {
    expect(summarize(layers)).toEqual(planSummary(planModel(layers)));
  });

  it('counts parameters as Keras does', () => {
    const s = summarize([
      { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' },
      { type: 'batchNorm' },
      { type: 'maxPool2d', poolSize: 3, strides: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 10, activation: 'linear' },
      { type: 'activation', activation: 'softmax' },
    ]);
    expect(s.rows).toEqual([
      { layer: 'conv2d (Conv2D)', outputShape: [null, 14, 14, 8], params: 3 * 3 * 8 + 8 },
      { layer: 'batch_normalization (BatchNormalization)', outputShape: [null, 14, 14, 8], params: 32 },
      { layer: 'max_pooling2d (MaxPooling2D)', outputShape: [null, 6, 6, 8], params: 0 },
      { layer: 'flatten (Flatten)', outputShape: [null, 288], params: 0 },
      { layer: 'dense (Dense)', outputShape: [null, 10], params: 2890 },
      { layer: 'activation (Activation)', outputShape: [null, 10], params: 0 },
    ]);
    expect([s.totalParams, s.trainableParams]).toEqual([80 + 32 + 2890, 80 + 16 + 2890]);
  });

  it.each<[string, LayerSpec[], string, RegExp]>([
    ['a dense layer on an image', [{ type: 'dense', units: 10, activation: 'softmax' }], 'model[0]', /layer 1 \(dense\): a dense layer needs a flat input/],
    ['a convolution after flatten', [{ type: 'flatten' }, { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }], 'model[1]', /layer 2 \(conv2d\): a convolution needs an image input/],
    ['a kernel larger than its input', [{ type: 'maxPool2d', poolSize: 4 }, { type: 'maxPool2d', poolSize: 4 }, { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }], 'model[2]', /the 3×3 kernel is larger than its 1×1 input/],
    ['7 outputs', [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'softmax' }], 'model[1]', /the last layer must output the 10 classes/],
    ['no softmax at the end', [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'relu' }], 'model[1]', /the last layer must be a softmax/],
    ['a dropout after the softmax', [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }, { type: 'dropout', rate: 0.2 }], 'model[2]', /the last layer must be a softmax/],
    ['no layers', [], 'model', /at least one layer/],
  ])('refuses %s in the UI’s summary and the trainer alike', (_, layers, path, message) => {
    for (const check of [() => summarize(layers), () => planModel(layers)]) {
      let error: unknown;
      try {
        check();
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'bad-input', details: { path }, message: expect.stringMatching(message) });
    }
  });
});
