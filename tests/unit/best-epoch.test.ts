// The one best-epoch rule (shared/runs.ts) on ties: the run page, the Runs list, Compare, Errors, the CLI and the
// trainer's "best" weights must all name the same epoch.
import { describe, expect, it } from 'vitest';
import { bestEpoch, isBetterEpoch, type EpochMetrics } from '../../src/shared/runs.js';
import { afterEpoch, initialLoopState } from '../../src/trainer/callbacks.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';

const epoch = (n: number, valAcc: number | null, valLoss: number | null): EpochMetrics => ({
  epoch: n, loss: 0.1, acc: 0.9, valAcc, valLoss, lr: 0.001, seconds: 1, imagesPerSecond: 100,
});

describe('bestEpoch', () => {
  it('takes the highest validation accuracy', () => {
    expect(bestEpoch([epoch(1, 0.9, 0.3), epoch(2, 0.95, 0.4), epoch(3, 0.93, 0.2)])?.epoch).toBe(2);
  });

  it('breaks an accuracy tie by the lower validation loss, even when the later epoch has it', () => {
    expect(bestEpoch([epoch(10, 0.99, 0.05), epoch(11, 0.99, 0.04), epoch(12, 0.98, 0.01)])?.epoch).toBe(11);
  });

  it('keeps the earliest epoch on a full tie, whatever order the epochs come in', () => {
    const epochs = [epoch(11, 0.99, 0.05), epoch(10, 0.99, 0.05), epoch(12, 0.98, 0.01)];
    expect(bestEpoch(epochs)?.epoch).toBe(10);
  });

  it('ignores epochs without validation and returns null when none was validated', () => {
    expect(bestEpoch([epoch(1, null, null), epoch(2, 0.5, 1)])?.epoch).toBe(2);
    expect(bestEpoch([epoch(1, null, null)])).toBeNull();
    expect(isBetterEpoch(epoch(1, null, null), null)).toBe(false);
  });
});

describe('the trainer marks the same epoch as best', () => {
  it('agrees with bestEpoch on ties', () => {
    const hp = resolveHyperparams('dnn');
    const epochs = [epoch(1, 0.9, 0.3), epoch(2, 0.97, 0.1), epoch(3, 0.97, 0.1), epoch(4, 0.97, 0.09)];
    let state = initialLoopState(hp);
    const marked: number[] = [];
    for (const e of epochs) {
      const d = afterEpoch(hp, state, e, e.epoch * 10);
      state = d.state;
      if (d.isBest) marked.push(e.epoch);
    }
    expect(marked.at(-1)).toBe(bestEpoch(epochs)?.epoch);
    expect(marked).toEqual([1, 2, 4]);
  });
});
