// The bundled sample: the `mnist` package's 10,000 real digits split into sample-train (8,000 labelled) and
// sample-test (2,000 unlabelled, answers kept to score exports). Installed once into every new data folder.

import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { insertDataset, uniqueName } from './repo.js';
import { PIXELS, loadMnistDigits, mulberry32 } from './mnist-digits.js';

export const SAMPLE_TRAIN = 'sample-train';
export const SAMPLE_TEST = 'sample-test';
const TRAIN_COUNT = 8000;
const SAMPLE_SEED = 20220912; // the seed notebook's date: any fixed seed keeps the split identical everywhere
const INSTALLED_KEY = 'sample.installed';

export interface SampleSplit {
  train: { pixels: Uint8Array; labels: Uint8Array };
  test: { pixels: Uint8Array; labels: Uint8Array };
}

/** A seeded shuffle of all 10,000 digits, so both parts hold every class in Kaggle-like proportions. */
export function sampleSplit(): SampleSplit {
  const digits = loadMnistDigits();
  const order = Array.from({ length: digits.count }, (_, i) => i);
  const random = mulberry32(SAMPLE_SEED);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (indices: number[]) => {
    const pixels = new Uint8Array(indices.length * PIXELS);
    const labels = new Uint8Array(indices.length);
    indices.forEach((src, i) => {
      pixels.set(digits.pixels.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
      labels[i] = digits.labels[src];
    });
    return { pixels, labels };
  };
  return { train: take(order.slice(0, TRAIN_COUNT)), test: take(order.slice(TRAIN_COUNT)) };
}

function contentHash(kind: string, pixels: Uint8Array, labels: Uint8Array): string {
  return createHash('sha256').update(`sample:${kind}:`).update(pixels).update(labels).digest('hex');
}

/** Adds the sample datasets to a data folder that never had them (a user who deletes them keeps them deleted). */
export function installSample(db: Db): void {
  if (db.prepare('SELECT 1 FROM settings WHERE key = ?').get(INSTALLED_KEY)) return;
  const split = sampleSplit();
  db.transaction(() => {
    insertDataset(db, {
      name: uniqueName(db, SAMPLE_TRAIN),
      kind: 'train',
      source: 'sample',
      sha256: contentHash('train', split.train.pixels, split.train.labels),
      ...split.train,
    });
    insertDataset(db, {
      name: uniqueName(db, SAMPLE_TEST),
      kind: 'test',
      source: 'sample',
      sha256: contentHash('test', split.test.pixels, split.test.labels),
      hasAnswers: true,
      ...split.test,
    });
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(INSTALLED_KEY, new Date().toISOString());
  }).immediate();
}
