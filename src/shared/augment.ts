// The seeded augmentation of strong Kaggle CNNs: a random rotation, zoom per axis and shift of each image, with
// bilinear sampling and black outside. Pure, so the trainer uses it and the UI can preview it.

import { unitOfByte } from './pixels.js';

const SIDE = 28;

export interface Augmentation {
  rotation: number; // degrees, ±
  zoom: number; // fraction, ±
  shift: number; // fraction of the side, ±
}

/** One random affine transform (rotate, zoom per axis, shift), bilinear sampling, black outside. */
export function augmentInto(image: Uint8Array, out: Float32Array, aug: Augmentation, random: () => number): void {
  const angle = ((random() * 2 - 1) * aug.rotation * Math.PI) / 180;
  const zx = 1 + (random() * 2 - 1) * aug.zoom;
  const zy = 1 + (random() * 2 - 1) * aug.zoom;
  const tx = (random() * 2 - 1) * aug.shift * SIDE;
  const ty = (random() * 2 - 1) * aug.shift * SIDE;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const c = (SIDE - 1) / 2;
  for (let oy = 0; oy < SIDE; oy++) {
    for (let ox = 0; ox < SIDE; ox++) {
      // Inverse map: output pixel → source position.
      const px = ox - c - tx;
      const py = oy - c - ty;
      const sx = (cos * px + sin * py) / zx + c;
      const sy = (-sin * px + cos * py) / zy + c;
      out[oy * SIDE + ox] = unitOfByte(bilinear(image, sx, sy));
    }
  }
}

function bilinear(image: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= SIDE || yy >= SIDE ? 0 : image[yy * SIDE + xx]);
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}
