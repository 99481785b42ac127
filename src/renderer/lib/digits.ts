// Draws a 28×28 digit (784 bytes, base64) on a canvas: white ink on a dark ground, like the Kaggle pixels.

import { BYTE_MAX } from '../../shared/pixels.js';

const cache = new Map<string, ImageData>();

export function decodeBytes(pixels: string): Uint8Array {
  const raw = atob(pixels);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function encodeBytes(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

function decode(pixels: string): ImageData {
  const hit = cache.get(pixels);
  if (hit) return hit;
  const raw = atob(pixels);
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = raw.charCodeAt(i);
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = BYTE_MAX; // opaque
  }
  if (cache.size > 6000) cache.clear();
  cache.set(pixels, image);
  return image;
}

export function drawDigit(canvas: HTMLCanvasElement, pixels: string): void {
  canvas.width = 28;
  canvas.height = 28;
  canvas.getContext('2d')?.putImageData(decode(pixels), 0, 0);
}

const bitmaps = new Map<string, HTMLCanvasElement>();

/** A 28×28 canvas of the digit, cached: galleries stamp it many times with drawImage. */
export function digitBitmap(pixels: string): HTMLCanvasElement {
  let c = bitmaps.get(pixels);
  if (!c) {
    c = document.createElement('canvas');
    drawDigit(c, pixels);
    if (bitmaps.size > 6000) bitmaps.clear();
    bitmaps.set(pixels, c);
  }
  return c;
}
