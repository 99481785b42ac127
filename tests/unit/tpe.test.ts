// TPE and random proposals: repeatable from the seed and the results, inside the space, and drawn towards good trials.
import { describe, expect, it } from 'vitest';
import { propose, startupTrials, type Finished } from '../../src/core/sweeps/samplers.js';
import { parseSpace } from '../../src/shared/sweep-space.js';

const dims = parseSpace(['learningRate=log:1e-4..1e-1', 'batchSize=16..256', 'optimizer=adam,sgd,rmsprop', 'epochs=3']);

/** A made-up objective: best near learningRate 3e-3 with adam. */
function score(p: Record<string, unknown>): number {
  const lr = Math.log10(p.learningRate as number);
  return 0.99 - 0.1 * (lr + 2.5) ** 2 - (p.optimizer === 'adam' ? 0 : 0.2);
}

function history(n: number, seed: number): Finished[] {
  const finished: Finished[] = [];
  for (let trial = 0; trial < n; trial++) {
    const params = propose({ search: 'tpe', dims, seed, trial, trials: 30, finished });
    finished.push({ params, value: score(params) });
  }
  return finished;
}

describe('samplers', () => {
  it('TPE with the same seed over the same results proposes the same points; another seed does not', () => {
    const a = history(20, 11);
    const b = history(20, 11);
    expect(b).toEqual(a);
    expect(history(20, 12)).not.toEqual(a);
  });

  it('stays inside the space: log range, whole numbers, listed choices, fixed values', () => {
    for (const { params } of history(25, 3)) {
      expect(params.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(params.learningRate).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(params.batchSize)).toBe(true);
      expect(params.batchSize).toBeGreaterThanOrEqual(16);
      expect(params.batchSize).toBeLessThanOrEqual(256);
      expect(['adam', 'sgd', 'rmsprop']).toContain(params.optimizer);
      expect(params.epochs).toBe(3);
    }
  });

  it('after the random start, TPE proposes the good region more often than random search', () => {
    const start = startupTrials(30);
    let tpeAdam = 0;
    let randomAdam = 0;
    for (let seed = 0; seed < 8; seed++) {
      const tpe = history(30, seed).slice(start);
      tpeAdam += tpe.filter((f) => f.params.optimizer === 'adam').length / tpe.length;
      const rnd = Array.from({ length: 30 - start }, (_, i) => propose({ search: 'random', dims, seed, trial: start + i, trials: 30, finished: [] }));
      randomAdam += rnd.filter((p) => p.optimizer === 'adam').length / rnd.length;
    }
    expect(tpeAdam / 8).toBeGreaterThan(randomAdam / 8 + 0.2);
  });

  it('grid proposes the points in order and no more', () => {
    const grid = parseSpace(['a=1,2', 'b=3']);
    expect(propose({ search: 'grid', dims: grid, seed: 0, trial: 1, trials: 2, finished: [] })).toEqual({ a: 2, b: 3 });
    expect(() => propose({ search: 'grid', dims: grid, seed: 0, trial: 2, trials: 2, finished: [] })).toThrow('the grid has only 2 points');
  });
});
