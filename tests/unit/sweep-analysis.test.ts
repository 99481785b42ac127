// Importance (fANOVA-lite) and the best-vs-runner-up noise check on hand-made trials.
import { afterEach, describe, expect, it } from 'vitest';
import { compareBest, importance } from '../../src/core/sweeps/analysis.js';
import { openDatabase } from '../../src/core/db/open.js';
import { parseSpace, searched } from '../../src/shared/sweep-space.js';
import type { TrialInfo } from '../../src/shared/sweeps.js';
import { tempDir } from '../helpers/temp-home.js';

const trial = (n: number, params: TrialInfo['params'], best: number | null): TrialInfo => ({
  runId: n + 1, trial: n, status: 'completed', runStatus: 'completed', params, best, epochsDone: 2, epochsPlanned: 2, prunedAt: null, seed: 1, groupKey: null,
});

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

describe('sweep analysis', () => {
  it('gives the importance to the parameter that moves the accuracy', () => {
    const dims = searched(parseSpace(['optimizer=adam,sgd', 'batchSize=32,64']));
    const trials = [
      trial(0, { optimizer: 'adam', batchSize: 32 }, 0.95),
      trial(1, { optimizer: 'adam', batchSize: 64 }, 0.94),
      trial(2, { optimizer: 'sgd', batchSize: 32 }, 0.7),
      trial(3, { optimizer: 'sgd', batchSize: 64 }, 0.71),
    ];
    const [opt, batch] = importance(dims, trials);
    expect(opt.key).toBe('optimizer');
    expect(opt.importance).toBeGreaterThan(0.99);
    expect(opt.importance! + batch.importance!).toBeCloseTo(1, 9);
    expect([opt.verdict, batch.verdict]).toEqual(['measured', 'measured']);
  });

  it('says "never varied" and "too few trials" instead of a split that three trials cannot support', () => {
    // The sweep: three trials of a learning-rate range, all drawn at batch size 64.
    const dims = searched(parseSpace(['learningRate=log:1e-4..1e-2', 'batchSize=32,64,128']));
    const three = [trial(0, { learningRate: 0.0003, batchSize: 64 }, 0.81), trial(1, { learningRate: 0.002, batchSize: 64 }, 0.9), trial(2, { learningRate: 0.008, batchSize: 64 }, 0.86)];
    expect(importance(dims, three)).toEqual([
      { key: 'learningRate', verdict: 'too-few-trials', importance: null },
      { key: 'batchSize', verdict: 'never-varied', importance: null },
    ]);
    // Enough trials per quartile, batch size still never varied: the rate gets the whole measured share.
    const many = Array.from({ length: 8 }, (_, i) => trial(i, { learningRate: 1e-4 * 1.8 ** i, batchSize: 64 }, 0.8 + i / 100));
    expect(importance(dims, many)).toEqual([
      { key: 'learningRate', verdict: 'measured', importance: 1 },
      { key: 'batchSize', verdict: 'never-varied', importance: null },
    ]);
  });

  it('warns when the gap is within binomial noise, not when it is far beyond', () => {
    dir = tempDir();
    const db = openDatabase(dir.path);
    const close = compareBest(db, [trial(0, {}, 0.9), trial(1, {}, 0.91), trial(2, {}, null)], 100)!;
    expect(close).toMatchObject({ noiseSource: 'binomial', withinNoise: true });
    expect(close.best.trial).toBe(1);
    expect(close.noise).toBeCloseTo(Math.hypot(Math.sqrt((0.91 * 0.09) / 100), Math.sqrt((0.9 * 0.1) / 100)), 9);
    expect(compareBest(db, [trial(0, {}, 0.5), trial(1, {}, 0.95)], 10_000)!.withinNoise).toBe(false);
    expect(compareBest(db, [trial(0, {}, 0.5)], 100)).toBeNull();
    db.close();
  });
});
