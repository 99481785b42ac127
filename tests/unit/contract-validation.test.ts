// The contract's zod schemas: every message names its field as the CLI and UI have always shown it, unknown and
// prototype keys are refused at any depth, and a failure carries every issue (details.issues) in a stable order.
import { describe, expect, it } from 'vitest';
import { parseArgs, type ArgsOf } from '../../src/shared/contract.js';
import { issuesOf, WorkbenchError } from '../../src/shared/errors.js';
import { hyperparamsSchema } from '../../src/shared/hyperparams.js';
import { parse } from '../../src/shared/validation.js';

function failure(run: () => unknown): WorkbenchError {
  try {
    run();
  } catch (err) {
    if (err instanceof WorkbenchError) return err;
    throw err;
  }
  throw new Error('expected a validation failure');
}

const message = (method: Parameters<typeof parseArgs>[0], args: unknown) => failure(() => parseArgs(method, args)).message;

describe('contract arguments', () => {
  it('word each kind of value by its field', () => {
    expect(message('datasets:get', { id: 0 })).toBe('id: must be an integer from 1 to 9007199254740991 (got 0)');
    expect(message('datasets:get', { id: 1.5 })).toBe('id: must be an integer from 1 to 9007199254740991 (got 1.5)');
    expect(message('datasets:get', { id: 2 ** 53 })).toBe('id: must be an integer from 1 to 9007199254740991 (got 9007199254740992)');
    expect(message('datasets:get', { id: '3' })).toBe('id: must be an integer from 1 to 9007199254740991 (got "3")');
    expect(message('datasets:get', {})).toBe('id: must be an integer from 1 to 9007199254740991 (it is empty)');
    expect(message('submissions:score', { id: 1, score: 1.5 })).toBe('score: must be a number from 0 to 1 (got 1.5)');
    expect(message('submissions:score', { id: 1, score: NaN })).toBe('score: must be a number from 0 to 1 (got NaN)');
    expect(message('runs:resume', { id: 1, force: 'yes' })).toBe('force: must be true or false (got "yes")');
    expect(message('settings:set', { backend: 'gpu' })).toBe('backend: must be one of auto, native, tensorflow, wasm, cpu (got "gpu")');
    expect(message('datasets:rename', { id: 1, name: ' ' })).toBe('name: must be a name of 1 to 120 characters (got " ")');
    expect(message('datasets:rename', { id: 1, name: 'x'.repeat(1 << 20) })).toBe('name: must be a name of 1 to 120 characters (got 1048576 characters)');
    expect(message('runs:update', { id: 1, tags: ['a', ''] })).toBe('tags[1]: must be a string of 1 to 40 characters (got 0 characters)');
    expect(message('analysis:compare', { runIds: [] })).toBe('runIds: must have 1 to 50 items (got 0)');
    expect(message('analysis:compare', { runIds: 'x' })).toBe('runIds: must be a list (got "x")');
    expect(message('datasets:get', [1])).toBe('must be an object (got a list)');
  });

  it('name nested fields by their path', () => {
    const err = failure(() => parseArgs('datasets:version', { id: 1, relabels: [{ row: 1, label: 0 }, { row: 0, label: 10 }], excludes: [] }));
    expect(err.message.split('\n')).toEqual([
      'relabels[1].row: must be an integer from 1 to 9007199254740991 (got 0)',
      'relabels[1].label: must be an integer from 0 to 9 (got 10)',
    ]);
    expect(err.details).toEqual({ path: 'relabels[1].row', issues: issuesOf(err) });
    expect(message('sweeps:start', { datasetId: 1, preset: 'p', params: ['a=1'], search: 'grid', prune: { minResource: 1, reductionFactor: 1 } })).toBe(
      'prune.reductionFactor: must be an integer from 2 to 10 (got 1)',
    );
  });

  it('refuse unknown fields, naming the known ones, before the fields they were probably meant as', () => {
    expect(issuesOf(failure(() => parseArgs('datasets:get', { idd: 1 })))).toEqual([
      { path: 'idd', message: 'is not a known field (known: id)' },
      { path: 'id', message: 'must be an integer from 1 to 9007199254740991 (it is empty)' },
    ]);
    expect(message('sweeps:start', { datasetId: 1, preset: 'p', params: ['a=1'], search: 'grid', prune: { minResource: 1, reductionFactor: 2, eta: 3 } })).toBe(
      'prune.eta: is not a known field (known: minResource, reductionFactor)',
    );
    // A 1 MB key is cut in the message, not echoed.
    const long = message('datasets:get', { id: 1, ['k'.repeat(1 << 20)]: 1 });
    expect(long).toBe(`${'k'.repeat(40)}…: is not a known field (known: id)`);
    // So many unknown keys that they could not be one call's arguments are still listed, each by name.
    const many = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 1]));
    const issues = issuesOf(failure(() => parseArgs('datasets:get', { ...many, id: 0 })))!;
    expect(issues).toHaveLength(200_001);
    expect(issues[199_999]).toEqual({ path: 'k199999', message: 'is not a known field (known: id)' });
    expect(issues[200_000].path).toBe('id');
  });

  it('refuse prototype keys as fields, at any depth, polluting nothing', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const args = JSON.parse(`{"id": 1, "${key}": {"polluted": 1}}`);
      expect(message('datasets:get', args)).toBe(`${key}: is not a known field (known: id)`);
      const nested = JSON.parse(`{"datasetId": 1, "preset": "p", "params": ["a=1"], "search": "grid", "prune": {"minResource": 1, "reductionFactor": 2, "${key}": 1}}`);
      expect(message('sweeps:start', nested)).toBe(`prune.${key}: is not a known field (known: minResource, reductionFactor)`);
      // hyperparams are any object here (the core checks them against the preset), but not a prototype key.
      const hp = JSON.parse(`{"preset": "seed-lenet5", "hyperparams": {"epochs": 1, "${key}": {"polluted": 1}}}`);
      expect(message('runs:preview', hp)).toBe(`hyperparams.${key}: is not a known field (a prototype key)`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('take nothing, null or {} for a method without arguments', () => {
    for (const args of [undefined, null, {}]) expect(parseArgs('datasets:list', args)).toBeUndefined();
    expect(message('datasets:list', 'x')).toBe('takes no arguments');
    expect(message('datasets:list', { extra: 1 })).toBe('extra: is not a known field (this method takes no arguments)');
  });

  it('return the parsed arguments typed by the schema', () => {
    const args: ArgsOf<'runs:start'> = parseArgs('runs:start', { datasetId: 2, preset: 'dnn', seeds: [1, 2], target: 'pool' });
    expect(args).toEqual({ datasetId: 2, preset: 'dnn', seeds: [1, 2], target: 'pool' });
  });
});

describe('hyperparameters', () => {
  it('name a layer of an unknown type once, by its type', () => {
    const err = failure(() => parse(hyperparamsSchema.shape.model, [{ type: 'flatten' }, { type: 'conv3d', filters: 0 }, 5]));
    expect(err.message.split('\n')).toEqual([
      '[1].type: must be one of conv2d, maxPool2d, batchNorm, activation, dropout, flatten, dense (got "conv3d")',
      '[2]: must be a layer (an object with a type) (got 5)',
    ]);
  });

  it('check a layer against its own type', () => {
    const err = failure(() => parse(hyperparamsSchema.shape.model, [{ type: 'dense', units: 0, activation: 'tanh', filters: 3 }]));
    expect(err.message.split('\n')).toEqual([
      '[0].filters: is not a known field (known: type, units, activation)',
      '[0].units: must be an integer from 1 to 4096 (got 0)',
      '[0].activation: must be one of relu, softmax, linear (got "tanh")',
    ]);
  });
});
