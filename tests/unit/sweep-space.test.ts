// Search-space parsing: each kind of space, and each mistake named with the text the user wrote.
import { describe, expect, it } from 'vitest';
import { checkKeys, gridPoints, parseParam, parseSpace, setParam } from '../../src/shared/sweep-space.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';

describe('parseParam', () => {
  it('reads lists, ranges, log ranges and fixed values', () => {
    expect(parseParam('batchSize=32,64,128')).toEqual({ key: 'batchSize', kind: 'list', values: [32, 64, 128] });
    expect(parseParam('optimizer=adam, sgd')).toEqual({ key: 'optimizer', kind: 'list', values: ['adam', 'sgd'] });
    expect(parseParam('augmentation.rotation=0..15')).toEqual({ key: 'augmentation.rotation', kind: 'range', low: 0, high: 15, log: false, integer: true });
    expect(parseParam('learningRate=log:1e-4..1e-2')).toEqual({ key: 'learningRate', kind: 'range', low: 1e-4, high: 1e-2, log: true, integer: false });
    expect(parseParam('epochs=4')).toEqual({ key: 'epochs', kind: 'fixed', value: 4 });
    expect(parseParam('momentum=0.0..0.9')).toMatchObject({ integer: false });
  });

  it.each([
    ['learningRate=log:1e-2..1e-4', 'learningRate=log:1e-2..1e-4: the range must go from low to high'],
    ['learningRate=log:0..1', 'learningRate=log:0..1: a log range needs bounds above 0'],
    ['learningRate=log:0.1', 'learningRate=log:0.1: log: needs a range'],
    ['batchSize=32,,64', 'batchSize=32,,64: an empty value in the list'],
    ['batchSize=a..b', 'batchSize=a..b: “a” is not a number'],
    ['batchSize', 'batchSize: write NAME=SPACE'],
    ['batchSize=', 'batchSize=: no values after “=”'],
    ['1x=3', '1x=3: “1x” is not a hyperparameter name'],
    ['epochs=1..2..3', 'epochs=1..2..3: a range is LOW..HIGH'],
  ])('%s is refused', (text, message) => {
    expect(() => parseParam(text)).toThrow(message);
  });

  it('refuses a name given twice, an unknown name and a range over words', () => {
    expect(() => parseSpace(['epochs=2', 'epochs=3'])).toThrow('epochs: given twice');
    const base = resolveHyperparams('seed-lenet5');
    expect(() => checkKeys(parseSpace(['learningRat=1,2']), base, 'seed-lenet5')).toThrow('learningRat is not a hyperparameter of seed-lenet5');
    expect(() => checkKeys(parseSpace(['optimizer=1..3']), base, 'seed-lenet5')).toThrow('optimizer is not a number, give a list');
  });

  it('grids lists in order and refuses ranges; sets members of an augmentation that is off', () => {
    expect(gridPoints(parseSpace(['a=1,2', 'b=x,y']))).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
    expect(() => gridPoints(parseSpace(['a=1..3']))).toThrow('grid search needs a list of values');
    const base = resolveHyperparams('seed-lenet5');
    expect(base.augmentation).toBeNull();
    expect(setParam(base, 'augmentation.rotation', 10).augmentation).toEqual({ rotation: 10, zoom: 0, shift: 0 });
  });
});
