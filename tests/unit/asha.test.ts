// Successive-halving decisions: which trials go on at a rung and which are pruned, from the reports' order.
import { describe, expect, it } from 'vitest';
import { promoted, replay, rungEpochs } from '../../src/core/sweeps/asha.js';

describe('ASHA', () => {
  it('puts rungs at minResource·η^k before the last epoch', () => {
    expect(rungEpochs({ minResource: 1, reductionFactor: 3 }, 30)).toEqual([1, 3, 9, 27]);
    expect(rungEpochs({ minResource: 2, reductionFactor: 2 }, 8)).toEqual([2, 4]);
    expect(rungEpochs({ minResource: 1, reductionFactor: 2 }, 1)).toEqual([]);
  });

  it('promotes the top 1/η of the values at a rung, and while fewer than η, only the best', () => {
    expect(promoted(0.5, [0.5], 3)).toBe(true);
    expect(promoted(0.4, [0.5, 0.4], 3)).toBe(false);
    expect(promoted(0.5, [0.4, 0.5], 3)).toBe(true);
    // 6 values, η = 3: the top 2 go on.
    expect(promoted(0.8, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4], 3)).toBe(true);
    expect(promoted(0.7, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4], 3)).toBe(false);
    expect(promoted(0.7, [0.9, 0.7, 0.7], 2)).toBe(false);
  });

  it('replays a sweep: a weak trial is pruned at the first rung, a middling one at the second', () => {
    const spec = { minResource: 1, reductionFactor: 2 };
    const reports = [
      { trial: 0, epoch: 1, value: 0.6 },
      { trial: 1, epoch: 1, value: 0.3 }, // below the best of two → pruned at 1
      { trial: 0, epoch: 2, value: 0.8 },
      { trial: 2, epoch: 1, value: 0.7 }, // top 1 of 3 → goes on
      { trial: 1, epoch: 2, value: 0.99 }, // already pruned: later reports change nothing
      { trial: 2, epoch: 2, value: 0.75 }, // below 0.8 of two at rung 2 → pruned at 2
      { trial: 3, epoch: 1, value: 0.65 }, // 4 values, top 2 = 0.7, 0.65 → goes on
    ];
    expect([...replay(spec, 8, reports)]).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});
