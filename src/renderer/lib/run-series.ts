// The run page's chart series: stored epochs plus, while an epoch trains, one provisional point. One function for
// the live page and the reloaded one, so both draw the same thing once an epoch has ended.

import type { EpochMetrics, RunProgress } from '../../shared/runs.js';

export interface XY {
  x: number;
  y: number;
}

export interface RunSeries {
  loss: XY[];
  acc: XY[];
  valLoss: XY[];
  valAcc: XY[];
}

/**
 * Each completed epoch is a point at x = epoch. While epoch e trains, the train lines gain one point at
 * x = e − 1 + batch/batches holding the epoch's running mean: it moves toward x = e, where it lands on exactly the
 * value the epoch stores (both are the mean over the epoch), so the line never jumps at a boundary, and a run
 * that stops mid-epoch (progress null) leaves only its stored epochs, as a reload shows them.
 */
export function runSeries(epochs: readonly EpochMetrics[], progress: RunProgress | null): RunSeries {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const pick = (metric: 'loss' | 'acc' | 'valLoss' | 'valAcc'): XY[] =>
    sorted.flatMap((e) => {
      const y = e[metric];
      return y !== null && Number.isFinite(y) ? [{ x: e.epoch, y }] : [];
    });
  const series = { loss: pick('loss'), acc: pick('acc'), valLoss: pick('valLoss'), valAcc: pick('valAcc') };
  const done = sorted.at(-1)?.epoch ?? 0;
  if (progress && progress.epoch === done + 1 && progress.batch > 0) {
    const x = done + Math.min(1, progress.batch / Math.max(1, progress.batches));
    if (Number.isFinite(progress.loss)) series.loss.push({ x, y: progress.loss });
    if (Number.isFinite(progress.acc)) series.acc.push({ x, y: progress.acc });
  }
  return series;
}

/** Seconds trained: the completed epochs, plus the seconds so far of an epoch still in progress. */
export function elapsedSeconds(epochs: readonly EpochMetrics[], progress: RunProgress | null): number {
  const stored = epochs.reduce((s, e) => s + e.seconds, 0);
  const done = epochs.reduce((n, e) => Math.max(n, e.epoch), 0);
  return stored + (progress && progress.epoch > done ? progress.seconds : 0);
}
