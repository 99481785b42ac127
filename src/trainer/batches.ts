// Epoch order and batch assembly: tf.data-style buffered shuffle (the seed notebook's shuffle(100)), pixels
// scaled to 0–1, and the seeded augmentation of strong Kaggle CNNs (rotation, zoom, shift).

import { PIXELS } from '../shared/digits.js';
import { scalePixels } from '../shared/pixels.js';
import { mixSeed, mulberry32, shuffleInPlace } from '../shared/random.js';
import { augmentInto, type Augmentation } from '../shared/augment.js';

export { augmentInto, type Augmentation };


/**
 * The order of one epoch. With a buffer, like tf.data's shuffle(n): the first n items fill a buffer, each output
 * is a random buffer slot that is then refilled from the input. Without one, a full Fisher–Yates shuffle.
 */
export function epochOrder(indices: Int32Array, buffer: number | null, seed: number, epoch: number): Int32Array {
  const random = mulberry32(mixSeed(seed, epoch, 0x5eed));
  if (buffer === null) return shuffleInPlace(Int32Array.from(indices), random);
  const out = new Int32Array(indices.length);
  const slots: number[] = [];
  let next = 0;
  while (slots.length < buffer && next < indices.length) slots.push(indices[next++]);
  for (let o = 0; o < out.length; o++) {
    const j = Math.floor(random() * slots.length);
    out[o] = slots[j];
    if (next < indices.length) slots[j] = indices[next++];
    else {
      slots[j] = slots[slots.length - 1];
      slots.pop();
    }
  }
  return out;
}


/** Copies the images `order[start..end)` into x (scaled 0–1) and their labels into y. */
export function fillBatch(opts: {
  pixels: Uint8Array;
  labels: Uint8Array;
  order: Int32Array;
  start: number;
  end: number;
  x: Float32Array;
  y: Uint8Array;
  augmentation: Augmentation | null;
  random?: () => number;
}): void {
  const { pixels, labels, order, start, end, x, y, augmentation } = opts;
  for (let b = 0; b < end - start; b++) {
    const src = order[start + b];
    y[b] = labels[src];
    const image = pixels.subarray(src * PIXELS, (src + 1) * PIXELS);
    const out = x.subarray(b * PIXELS, (b + 1) * PIXELS);
    if (augmentation && opts.random) augmentInto(image, out, augmentation, opts.random);
    else scalePixels(image, out);
  }
}

/** A seeded stream for one batch's augmentation: independent of how many batches ran before (resume-safe). */
export function batchRandom(seed: number, epoch: number, batch: number): () => number {
  return mulberry32(mixSeed(seed, epoch, batch, 0xa097));
}

/**
 * Images the `recomputed` BatchNorm statistics are estimated over: 2,048 (32 batches of cnn-strong's 64) hold every
 * convolution channel's mean and variance to well under 1% and a dense unit's to a few percent, at about a tenth of
 * an epoch of 6,000 images (a forward pass only) and 2% of a Kaggle-size one.
 */
export const BN_SAMPLE_IMAGES = 2048;

/**
 * The training images `recomputed` statistics are estimated over: the first BN_SAMPLE_IMAGES (rounded up to whole
 * batches, at most the whole training set) of a shuffle seeded by the run's seed alone. The same images every epoch
 * and after a resume, so a run's statistics follow its weights only.
 */
export function bnSampleOrder(indices: Int32Array, batchSize: number, seed: number): Int32Array {
  const wanted = Math.min(indices.length, Math.ceil(BN_SAMPLE_IMAGES / batchSize) * batchSize);
  return shuffleInPlace(Int32Array.from(indices), mulberry32(mixSeed(seed, 0xb4a7))).slice(0, wanted);
}
