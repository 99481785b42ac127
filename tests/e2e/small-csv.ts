// A small Kaggle-format train.csv of real digits (every class, seeded pick) for the UI to upload.
import { loadMnistDigits, PIXELS } from '../../src/core/datasets/mnist-digits.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { mulberry32, shuffleInPlace } from '../../src/shared/random.js';

export async function writeSmallCsv(file: string, count: number, seed = 11): Promise<string> {
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
