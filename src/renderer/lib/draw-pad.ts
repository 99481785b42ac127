// From a drawing to the model's input: the pad's large canvas averaged down to 28×28 bytes (white ink on black,
// like Kaggle's), and for hand drawing MNIST's own preparation — fit the digit in a 20×20 box, centre its mass.

import { BYTE_MAX } from '../../shared/pixels.js';

export const PAD = 280;
const SCALE = PAD / 28;

/** Mean of each 10×10 block's red channel: exact for a stored digit painted at 10×. */
export function downsample(image: ImageData): Uint8Array {
  const out = new Uint8Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let sum = 0;
      for (let dy = 0; dy < SCALE; dy++) {
        const row = (y * SCALE + dy) * image.width;
        for (let dx = 0; dx < SCALE; dx++) sum += image.data[(row + x * SCALE + dx) * 4];
      }
      out[y * 28 + x] = Math.round(sum / (SCALE * SCALE));
    }
  }
  return out;
}

function bbox(px: Uint8Array): { x: number; y: number; w: number; h: number } | null {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let i = 0; i < 784; i++) {
    if (px[i] < 16) continue;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Moves the centre of mass to the middle of the 28×28 field (MNIST's centring), by whole pixels. */
export function centre(px: Uint8Array): Uint8Array {
  let [m, cx, cy] = [0, 0, 0];
  for (let i = 0; i < 784; i++) {
    m += px[i];
    cx += px[i] * (i % 28);
    cy += px[i] * Math.floor(i / 28);
  }
  if (m === 0) return px;
  const [sx, sy] = [Math.round(13.5 - cx / m), Math.round(13.5 - cy / m)];
  const out = new Uint8Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const [tx, ty] = [x + sx, y + sy];
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = px[y * 28 + x];
    }
  }
  return out;
}

/** The pad's drawing as model input, or null when nothing is drawn. */
export function padToPixels(canvas: HTMLCanvasElement): Uint8Array | null {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  const raw = downsample(ctx.getImageData(0, 0, PAD, PAD));
  const box = bbox(raw);
  if (!box) return null;
  // Hand-drawn digits fill the pad: scale the ink's box so its longer side is 20 px, as in MNIST.
  const side = Math.max(box.w, box.h);
  const fit = document.createElement('canvas');
  fit.width = fit.height = PAD;
  const f = fit.getContext('2d', { willReadFrequently: true });
  if (!f) return raw;
  const s = (20 * SCALE) / (side * SCALE);
  const [w, h] = [box.w * SCALE * s, box.h * SCALE * s];
  f.fillStyle = '#000';
  f.fillRect(0, 0, PAD, PAD);
  f.imageSmoothingQuality = 'high';
  f.drawImage(canvas, box.x * SCALE, box.y * SCALE, box.w * SCALE, box.h * SCALE, (PAD - w) / 2, (PAD - h) / 2, w, h);
  return centre(downsample(f.getImageData(0, 0, PAD, PAD)));
}

/** Paints 28×28 bytes onto the pad at 10× (crisp blocks, so downsample() gives the bytes back exactly). */
export function paintPixels(canvas: HTMLCanvasElement, px: Uint8Array): void {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return;
  const image = ctx.createImageData(PAD, PAD);
  for (let y = 0; y < PAD; y++) {
    for (let x = 0; x < PAD; x++) {
      const v = px[Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)];
      const o = (y * PAD + x) * 4;
      image.data[o] = image.data[o + 1] = image.data[o + 2] = v;
      image.data[o + 3] = BYTE_MAX; // opaque
    }
  }
  ctx.putImageData(image, 0, 0);
}
