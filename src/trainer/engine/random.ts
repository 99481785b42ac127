// Seeded random streams for weights and dropout. Each draw is keyed by (seed, step, layer, image), so a replica
// can make its slice of a batch's masks alone and a resumed run continues the exact same stream.

import { mulberry32 } from '../../shared/random.js';

/** Mixes integers into one 32-bit seed (murmur3's finaliser after each word). */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    h ^= word >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Fills `out` with U(−limit, limit) from the stream (seed, layer, param). */
export function seededUniform(out: Float32Array, limit: number, seed: number, layer: number, param: number): void {
  const rng = mulberry32(mixSeed(seed, 1, layer, param));
  for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * limit;
}

/**
 * Inverted-dropout multipliers (0 or 1/(1−rate)) for `images` consecutive images starting at batch position
 * `first`, `perImage` values each, at optimizer step `step` in layer `layer`.
 */
export function dropoutMask(
  seed: number, step: number, layer: number, first: number, images: number, perImage: number, rate: number,
): Float32Array {
  const out = new Float32Array(images * perImage);
  const keep = 1 / (1 - rate);
  for (let n = 0; n < images; n++) {
    const rng = mulberry32(mixSeed(seed, 2, step, layer, first + n));
    const base = n * perImage;
    for (let i = 0; i < perImage; i++) out[base + i] = rng() < rate ? 0 : keep;
  }
  return out;
}
