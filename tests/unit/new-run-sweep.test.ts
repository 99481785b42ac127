// The New run form's sweep axes go through the same parser as the CLI's --param.
import { describe, expect, it } from 'vitest';
import { axisParam, sweepPlan } from '../../src/renderer/lib/sweep.js';

describe('New run sweep axes', () => {
  it('writes lists separated by spaces or commas, and ranges, as NAME=SPACE', () => {
    expect(axisParam({ key: 'learningRate', values: '0.001 0.003; 1e-2' })).toBe('learningRate=0.001,0.003,1e-2');
    expect(axisParam({ key: 'batchSize', values: ' 16 .. 128 ' })).toBe('batchSize=16..128');
    expect(axisParam({ key: 'learningRate', values: 'log:1e-4..1e-2' })).toBe('learningRate=log:1e-4..1e-2');
  });

  it('counts the grid, takes the budget otherwise, and names the bad axis', () => {
    const axes = [{ key: 'learningRate', values: '0.001, 0.002' }, { key: 'batchSize', values: '32 64 128' }];
    expect(sweepPlan(axes, 'grid', 5).trials).toBe(6);
    expect(sweepPlan([{ key: 'learningRate', values: 'log:1e-4..1e-2' }], 'tpe', 12).trials).toBe(12);
    expect(() => sweepPlan([{ key: 'learningRate', values: 'log:1e-4..1e-2' }], 'grid', 5)).toThrow('learningRate=log:0.0001..0.01: grid search needs a list');
    expect(() => sweepPlan([{ key: 'momentum', values: '0.9..0.1' }], 'random', 5)).toThrow('momentum=0.9..0.1: the range must go from low to high');
    expect(() => sweepPlan([{ key: 'momentum', values: '0.1..0.9' }], 'random', 0)).toThrow('Trials: a whole number from 1 to 1000');
  });
});
