// The learning-rate range test's arithmetic on made-up loss curves: schedule, smoothing, stop rule, suggestions.
import { describe, expect, it } from 'vitest';
import { LossSmoother, lrAt, suggest, type LrPoint } from '../../src/trainer/lr-range.js';

/** A loss curve flat at 2.3, falling fastest around lr = 1e-3 (log-sigmoid in log10 lr), then blowing up past 0.1. */
const lossAt = (lr: number) => 0.3 + 2 / (1 + Math.exp(3 * (Math.log10(lr) + 3))) + (lr > 0.1 ? 1000 * (lr - 0.1) : 0);

function runTest(steps = 100): LrPoint[] {
  const smoother = new LossSmoother();
  const points: LrPoint[] = [];
  for (let i = 0; i < steps; i++) {
    const lr = lrAt(i, steps);
    const { smoothed, stop } = smoother.add(lossAt(lr));
    points.push({ lr, loss: smoothed });
    if (stop) break;
  }
  return points;
}

describe('learning-rate range test', () => {
  it('rises exponentially from 1e-7 to 1', () => {
    expect(lrAt(0, 100)).toBeCloseTo(1e-7, 12);
    expect(lrAt(99, 100)).toBeCloseTo(1, 9);
    expect(lrAt(50, 101)).toBeCloseTo(10 ** -3.5, 9);
  });

  it('smooths with bias correction: a constant loss stays that constant from the first batch', () => {
    const s = new LossSmoother();
    expect(s.add(2.5).smoothed).toBeCloseTo(2.5, 10);
    expect(s.add(2.5).smoothed).toBeCloseTo(2.5, 10);
  });

  it('stops once the smoothed loss passes 4× its minimum, or is not finite', () => {
    const points = runTest();
    expect(points.length).toBeLessThan(100);
    const min = Math.min(...points.map((p) => p.loss));
    expect(points[points.length - 1].loss).toBeGreaterThan(4 * min);
    expect(points[points.length - 2].loss).toBeLessThanOrEqual(4 * min);
    const s = new LossSmoother();
    s.add(1);
    expect(s.add(NaN).stop).toBe(true);
  });

  it('suggests the steepest descent and the minimum / 10', () => {
    const points = runTest();
    const { steepest, minOver10 } = suggest(points);
    // The smoothing lags the curve by a few dozen batches, so the steepest point sits a little right of 1e-3.
    expect(Math.log10(steepest!)).toBeGreaterThan(-3.2);
    expect(Math.log10(steepest!)).toBeLessThan(-1.8);
    const lowest = points.reduce((a, b) => (b.loss < a.loss ? b : a));
    expect(minOver10).toBeCloseTo(lowest.lr / 10, 12);
    expect(suggest(points.slice(0, 2))).toEqual({ steepest: null, minOver10: null });
  });
});
