// Turning a user's image into a Kaggle-style digit: 28×28 grey bytes, white ink on black. Any PNG size is
// area-averaged down; a dark-on-light drawing (mean brightness above half) is inverted.

import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { badInput } from '../../shared/errors.js';
import { BYTE_MAX, unitOfByte } from '../../shared/pixels.js';

const SIDE = 28;

export function decodePng(file: string): Uint8Array {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch (err) {
    throw badInput(`${file}: not a readable PNG image (${(err as Error).message})`);
  }
  const { width, height, data } = png;
  const grey = new Float64Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const a = unitOfByte(data[i * 4 + 3]);
    // Transparent pixels count as background (black after the inversion check below, via white first).
    const luminance = 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
    grey[i] = luminance * a + BYTE_MAX * (1 - a);
  }
  return toDigit(grey, width, height);
}

/** Area-averages a grey image to 28×28 and makes the ink white on black. */
export function toDigit(grey: Float64Array, width: number, height: number): Uint8Array {
  const out = new Float64Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    const y0 = (y * height) / SIDE;
    const y1 = ((y + 1) * height) / SIDE;
    for (let x = 0; x < SIDE; x++) {
      const x0 = (x * width) / SIDE;
      const x1 = ((x + 1) * width) / SIDE;
      let sum = 0;
      let area = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
        const wy = Math.min(sy + 1, y1) - Math.max(sy, y0);
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const wx = Math.min(sx + 1, x1) - Math.max(sx, x0);
          sum += grey[sy * width + sx] * wx * wy;
          area += wx * wy;
        }
      }
      out[y * SIDE + x] = sum / area;
    }
  }
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  const invert = mean > BYTE_MAX / 2;
  return Uint8Array.from(out, (v) => Math.round(invert ? BYTE_MAX - v : v));
}
