// Hyperparameter validation reports every problem at once (details.issues), the CLI keeps messages that name the
// field, and the New run form words each problem with its own label.
import { describe, expect, it } from 'vitest';
import { previewRun } from '../../src/core/training/start.js';
import { issuesOf, WorkbenchError } from '../../src/shared/errors.js';
import { fieldLabel, problemsOf, sentence } from '../../src/renderer/lib/hyperparam-form.js';

function failure(overrides: Record<string, unknown>): WorkbenchError {
  try {
    previewRun('seed-lenet5', overrides);
  } catch (err) {
    return err as WorkbenchError;
  }
  throw new Error('expected a validation failure');
}

describe('hyperparameter validation', () => {
  it('lists every failing field, not only the first', () => {
    const err = failure({ epochs: 0, batchSize: null, learningRate: 20, validation: { ratio: 0.9 }, model: [{ type: 'conv2d', filters: 0, kernelSize: 3, padding: 'same', activation: 'relu' }] });
    expect(issuesOf(err)?.map((i) => i.path)).toEqual(['epochs', 'batchSize', 'learningRate', 'validation.ratio', 'model[0].filters']);
    // The CLI prints the message: one line per problem, each naming its field as before.
    expect(err.message.split('\n')).toEqual([
      'epochs: must be an integer from 1 to 1000 (got 0)',
      'batchSize: must be an integer from 1 to 4096 (it is empty)',
      'learningRate: must be a number above 0 and at most 10 (got 20)',
      'validation.ratio: must be a number from 0.01 to 0.5 (got 0.9)',
      'model[0].filters: must be an integer from 1 to 512 (got 0)',
    ]);
    expect(err.details).toMatchObject({ path: 'epochs' });
  });

  it('keeps a single problem as the one message it always was', () => {
    expect(failure({ epochs: 0 }).message).toBe('epochs: must be an integer from 1 to 1000 (got 0)');
  });

  it('names an unknown field among the others', () => {
    expect(issuesOf(failure({ epochz: 3, seed: -1 }))?.map((i) => i.path)).toEqual(['epochz', 'seed']);
  });
});

describe('the form’s wording', () => {
  it('labels each problem with the field’s own label, not the contract key', () => {
    const problems = problemsOf(failure({ batchSize: null, learningRate: 0, validation: { ratio: 0.9 }, reduceLrOnPlateau: { factor: 2 } }));
    expect(problems.map((p) => fieldLabel(p.path))).toEqual(['Batch size', 'Learning rate', 'Validation ratio', 'ReduceLROnPlateau factor']);
    expect(problems.every((p) => !/^[a-zA-Z.]+:/.test(p.message))).toBe(true);
    expect(sentence(problems[0].message)).toBe('Must be an integer from 1 to 4096 (it is empty).');
  });

  it('names a layer by its position and setting', () => {
    expect(fieldLabel('model[3].kernelSize')).toBe('Layer 4 kernel size');
    const [shape] = problemsOf(failure({ model: [{ type: 'dense', units: 10, activation: 'softmax' }] }));
    expect(shape).toEqual({ path: 'model[0]', message: 'layer 1 (dense): a dense layer needs a flat input: add a flatten layer before it' });
  });
});
