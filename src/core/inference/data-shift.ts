// Whether a test set looks like the images a run was trained on. A model predicts any 28×28 image, so a test set of
// another kind (clothing for a digit model, inverted colours) exports without an error and scores near chance. The
// signal is two pixel statistics of each set: the share of ink (pixels at 128 or more: 13–18% in random picks of the
// bundled MNIST digits, from 20 to 1,000 of them; a garment fills far more of the square, inverted digits most of it)
// and the average image (digits: a centred stroke blob; inverted colours anti-correlate). A warning, not a refusal:
// the user may know better.

import type { Db } from '../db/open.js';
import { getDataset, loadDatasetArrays } from '../datasets/repo.js';
import { getRun } from '../training/runs-repo.js';

const PIXELS = 784;
/** Ink shares further apart than this factor, or average images correlated below this, are another kind of data. */
const INK_RATIO = 1.5;
const MIN_CORRELATION = 0.8;

export interface PixelStats {
  /** Share of pixels at 128 or more. */
  ink: number;
  /** The average image, 784 values 0–255. */
  mean: Float64Array;
}

export function pixelStats(pixels: Uint8Array, rows: number): PixelStats {
  const mean = new Float64Array(PIXELS);
  let ink = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * PIXELS;
    for (let k = 0; k < PIXELS; k++) {
      const v = pixels[o + k];
      mean[k] += v;
      if (v >= 128) ink++;
    }
  }
  for (let k = 0; k < PIXELS; k++) mean[k] /= Math.max(1, rows);
  return { ink: ink / Math.max(1, rows * PIXELS), mean };
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < n; k++) {
    ab += (a[k] - ma) * (b[k] - mb);
    aa += (a[k] - ma) ** 2;
    bb += (b[k] - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 1;
}

/** The warning for a test set whose statistics are far from the training set's, or null when they agree. */
export function shiftWarning(train: PixelStats & { name: string }, test: PixelStats & { name: string }): string | null {
  const ratio = Math.max(train.ink, test.ink) / Math.max(1e-6, Math.min(train.ink, test.ink));
  const r = correlation(train.mean, test.mean);
  if (ratio <= INK_RATIO && r >= MIN_CORRELATION) return null;
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  const why = [
    ...(ratio > INK_RATIO ? [`${pct(test.ink)} of its pixels are ink against ${pct(train.ink)} in the training set`] : []),
    ...(r < MIN_CORRELATION ? [`its average image correlates with the training set's at r = ${r.toFixed(2)} (alike sets: above ${MIN_CORRELATION})`] : []),
  ];
  return (
    `${test.name} does not look like the images the model trained on (${train.name}): ${why.join(', and ')}. ` +
    'A model predicts any 28×28 image without an error, but these predictions mean little: check that this is the test.csv of the same competition.'
  );
}

// Statistics by content (sha256): a dataset never changes, and a set of 42,000 rows takes a moment to read.
const cache = new Map<string, PixelStats>();

function statsOf(db: Db, datasetId: number): PixelStats & { name: string } {
  const info = getDataset(db, datasetId);
  let stats = cache.get(info.sha256);
  if (!stats) {
    const { pixels, rows } = loadDatasetArrays(db, datasetId);
    stats = pixelStats(pixels, rows);
    cache.set(info.sha256, stats);
  }
  return { ...stats, name: `"${info.name}"` };
}

/** Warnings for predicting `datasetId` with these runs: one per training set whose images differ from the test set's. */
export function testSetWarnings(db: Db, runIds: number[], datasetId: number): string[] {
  const test = statsOf(db, datasetId);
  const trainIds = [...new Set(runIds.map((id) => getRun(db, id).datasetId))];
  return trainIds.map((id) => shiftWarning(statsOf(db, id), test)).filter((w): w is string => w !== null);
}
