// A run's page explains a validation accuracy far below training in the first epochs: BatchNorm's running
// statistics when the model has BatchNorm, too little data otherwise; nothing when the gap is small or late.
import { describe, expect, it } from 'vitest';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import type { EpochMetrics } from '../../src/shared/runs.js';
import { valGap } from '../../src/renderer/lib/val-gap.js';

const epoch = (n: number, acc: number, valAcc: number): EpochMetrics => ({ epoch: n, loss: 1, acc, valAcc, valLoss: 1, lr: 0.001, seconds: 1, imagesPerSecond: 1 });

describe('valGap', () => {
  it('blames BatchNorm’s running statistics on a cnn-strong run at 18.67% validation vs 66% training', () => {
    const gap = valGap(resolveHyperparams('cnn-strong'), [epoch(1, 0.66, 0.1867), epoch(2, 0.8, 0.7)], 3000)!;
    expect(gap).toMatchObject({ epoch: 1, cause: 'batch-norm' });
    expect(gap.text).toMatch(/^Validation 18\.67% against training 66\.00% in epoch 1: this model's BatchNorm layers validate with running averages/);
    // 2,700 training rows (10% held out) in batches of 64.
    expect(gap.text).toContain('(43 per epoch here, from 2,700 training images)');
  });

  it('says too little data for a model without BatchNorm, and nothing for small or late gaps', () => {
    const lenet = resolveHyperparams('seed-lenet5');
    expect(valGap(lenet, [epoch(1, 0.9, 0.6)], 300)).toMatchObject({ cause: 'little-data' });
    expect(valGap(lenet, [epoch(1, 0.9, 0.6)], 300)!.text).toContain('too little data (270 training images)');
    expect(valGap(lenet, [epoch(1, 0.9, 0.8), epoch(2, 0.95, 0.9)], 300)).toBeNull();
    expect(valGap(lenet, [epoch(1, 0.5, 0.45), epoch(2, 0.6, 0.55), epoch(3, 0.7, 0.65), epoch(4, 0.99, 0.7)], 300)).toBeNull();
  });
});
