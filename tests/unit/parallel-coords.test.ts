// The plot's geometry and brushing, without a browser: positions on log, linear and listed axes, and which
// trials a set of brushes lets through.
import { describe, expect, it } from 'vitest';
import { axesOf, passes, position, ticks } from '../../src/renderer/lib/parallel-coords.js';
import { parseSpace, searched } from '../../src/shared/sweep-space.js';
import type { TrialInfo } from '../../src/shared/sweeps.js';

const trial = (runId: number, params: TrialInfo['params'], best: number | null): TrialInfo => ({
  runId, trial: runId, status: 'completed', runStatus: 'completed', params, best, epochsDone: 1, epochsPlanned: 1, prunedAt: null, seed: 1, groupKey: null,
});

const dims = searched(parseSpace(['learningRate=log:1e-4..1e-2', 'optimizer=adam,sgd,rmsprop', 'epochs=2']));
const trials = [trial(1, { learningRate: 1e-3, optimizer: 'sgd' }, 0.9), trial(2, { learningRate: 1e-2, optimizer: 'adam' }, 0.5), trial(3, { learningRate: 1e-4, optimizer: 'rmsprop' }, null)];

describe('parallel coordinates', () => {
  const axes = axesOf(dims, trials);

  it('has one axis per searched parameter plus accuracy, scaled to the trials', () => {
    expect(axes.map((a) => a.key)).toEqual(['learningRate', 'optimizer', 'best']);
    expect(position(axes[0], 1e-3)).toBeCloseTo(0.5, 9);
    expect(position(axes[1], 'rmsprop')).toBe(1);
    expect([position(axes[2], 0.5), position(axes[2], 0.9), position(axes[2], null)]).toEqual([0, 1, null]);
    expect(ticks(axes[2]).map((t) => t.label)).toEqual(['50.0%', '70.0%', '90.0%']);
  });

  it('keeps the trials inside every brush; a trial without accuracy fails an accuracy brush', () => {
    const ids = (b: Parameters<typeof passes>[1]) => trials.filter((t) => passes(axes, b, t)).map((t) => t.runId);
    expect(ids({})).toEqual([1, 2, 3]);
    expect(ids({ best: { lo: 0.6, hi: 1 } })).toEqual([1]);
    expect(ids({ learningRate: { lo: 0.4, hi: 1 } })).toEqual([1, 2]);
    expect(ids({ learningRate: { lo: 0.4, hi: 1 }, optimizer: { lo: 0, hi: 0.2 } })).toEqual([2]);
  });
});
