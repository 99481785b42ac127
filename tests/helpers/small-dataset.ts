// A small real dataset for tests: `count` digits from every class (seeded pick), as a Kaggle train.csv, imported
// through the real CSV path when a Workbench is given.
import { join } from 'node:path';
import { loadMnistDigits, PIXELS } from '../../src/core/datasets/mnist-digits.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { mulberry32, shuffleInPlace } from '../../src/shared/random.js';
import type { Workbench } from '../../src/core/workbench.js';

export async function writeSmallCsv(file: string, count: number, seed: number): Promise<string> {
  const digits = loadMnistDigits();
  const order = shuffleInPlace(Int32Array.from({ length: digits.count }, (_, i) => i), mulberry32(seed)).subarray(0, count);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  order.forEach((src, i) => {
    pixels.set(digits.pixels.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
    labels[i] = digits.labels[src];
  });
  await writeKaggleCsv(file, { pixels, labels });
  return file;
}

/** Imports `small-COUNT-SEED.csv` and returns the dataset id. */
export async function importSmallTrainSet(wb: Workbench, dir: string, count = 400, seed = 7): Promise<number> {
  const file = await writeSmallCsv(join(dir, `small-${count}-${seed}.csv`), count, seed);
  return (await wb.importDataset({ path: file })).dataset.id;
}
