// Presets promise what they say, and every hyperparameter is validated with a message naming the field.
import { describe, expect, it } from 'vitest';
import { presets, resolveHyperparams } from '../../src/core/training/presets.js';
import { previewRun } from '../../src/core/training/start.js';

describe('presets', () => {
  it('seed-lenet5 is the seed notebook: 61,706 parameters, tail 10%, batch 32, Adam 1e-3, buffer 100, its callbacks', () => {
    const { hyperparams: hp, summary } = previewRun('seed-lenet5');
    expect(summary.totalParams).toBe(61_706);
    expect(summary.rows.map((r) => [r.layer, r.outputShape, r.params])).toEqual([
      ['conv2d (Conv2D)', [null, 28, 28, 6], 156],
      ['max_pooling2d (MaxPooling2D)', [null, 14, 14, 6], 0],
      ['conv2d_1 (Conv2D)', [null, 10, 10, 16], 2416],
      ['max_pooling2d_1 (MaxPooling2D)', [null, 5, 5, 16], 0],
      ['flatten (Flatten)', [null, 400], 0],
      ['dense (Dense)', [null, 120], 48120],
      ['dense_1 (Dense)', [null, 84], 10164],
      ['dense_2 (Dense)', [null, 10], 850],
    ]);
    expect(hp).toMatchObject({
      epochs: 30,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 1e-3,
      validation: { mode: 'tail', ratio: 0.1 },
      shuffleBuffer: 100,
      reduceLrOnPlateau: { monitor: 'loss', factor: 0.1, patience: 2 },
      earlyStopping: { monitor: 'loss', patience: 5, restoreBest: false },
      augmentation: null,
      lrDecay: null,
    });
  });

  it('cnn-strong has BatchNorm, dropout 0.4, augmentation and lr 1e-3·0.95^epoch', () => {
    const { hyperparams: hp, summary } = previewRun('cnn-strong');
    const layers = summary.rows.map((r) => r.layer);
    expect(layers.filter((l) => l.includes('(BatchNormalization)')).length).toBeGreaterThanOrEqual(6);
    expect(hp.model.filter((l) => l.type === 'dropout').every((l) => l.type === 'dropout' && l.rate === 0.4)).toBe(true);
    expect(hp.augmentation).toEqual({ rotation: 10, zoom: 0.1, shift: 0.1 });
    expect(hp.lrDecay).toEqual({ rate: 0.95 });
    expect(hp.learningRate).toBe(1e-3);
    expect(summary.trainableParams).toBeLessThan(summary.totalParams); // moving statistics are not trainable
  });

  it('validates with recomputed BatchNorm statistics where the model has BatchNorm (cnn-strong), Keras\'s elsewhere; a bad value names the field', () => {
    expect(presets['cnn-strong'].hyperparams.batchNormStats).toBe('recomputed');
    expect(presets['seed-lenet5'].hyperparams.batchNormStats).toBe('keras');
    expect(presets.dnn.hyperparams.batchNormStats).toBe('keras');
    expect(resolveHyperparams('cnn-strong', { batchNormStats: 'debiased' }).batchNormStats).toBe('debiased');
    expect(() => resolveHyperparams('cnn-strong', { batchNormStats: 'precise' })).toThrow(/batchNormStats: must be one of keras, debiased, recomputed/);
  });

  it('dnn is a dense baseline with dropout', () => {
    const { summary } = previewRun('dnn');
    expect(summary.rows.map((r) => r.outputShape)).toEqual([[null, 784], [null, 512], [null, 512], [null, 256], [null, 256], [null, 10]]);
    expect(Object.keys(presets)).toEqual(['seed-lenet5', 'dnn', 'cnn-strong']);
  });

  it('merges overrides field by field', () => {
    const hp = resolveHyperparams('seed-lenet5', { epochs: 3, reduceLrOnPlateau: { patience: 4 }, validation: { mode: 'stratified' } });
    expect(hp.epochs).toBe(3);
    expect(hp.reduceLrOnPlateau).toMatchObject({ patience: 4, factor: 0.1, monitor: 'loss' });
    expect(hp.validation).toEqual({ mode: 'stratified', ratio: 0.1 });
  });

  it.each([
    [{ epochs: 0 }, /^epochs: must be an integer from 1 to 1000 \(got 0\)/],
    [{ epochs: 2.5 }, /^epochs: must be an integer/],
    [{ batchSize: '32' }, /^batchSize: must be an integer .*got "32"/],
    [{ learningRate: -1 }, /^learningRate: must be a number above 0/],
    [{ optimizer: 'adamw' }, /^optimizer: must be one of adam, sgd, rmsprop/],
    [{ validation: { ratio: 0.9 } }, /^validation\.ratio: must be a number from 0\.01 to 0\.5/],
    [{ reduceLrOnPlateau: { monitor: 'accuracy' } }, /^reduceLrOnPlateau\.monitor: must be one of loss, acc, val_loss, val_acc/],
    [{ earlyStopping: { patience: -2 } }, /^earlyStopping\.patience: must be an integer from 0/],
    [{ augmentation: { rotation: 90 } }, /^augmentation\.rotation: must be a number from 0 to 45/],
    [{ epochz: 3 }, /^epochz: is not a known field/],
    [{ model: [{ type: 'conv3d' }] }, /^model\[0\]\.type: must be one of/],
    [{ model: [{ type: 'dense', units: 10, activation: 'softmax' }] }, /^model: layer 1 \(dense\): a dense layer needs a flat input/],
    [{ model: [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'softmax' }] }, /^model: the last layer must output the 10 classes/],
  ])('rejects %j', (overrides, message) => {
    expect(() => previewRun('seed-lenet5', overrides)).toThrow(message);
  });

  it('rejects an unknown preset by name', () => {
    expect(() => previewRun('resnet')).toThrow(/unknown preset "resnet" \(presets: seed-lenet5, dnn, cnn-strong\)/);
  });
});
