// The one pixel scaling: bytes to the floats the models see, and back to the same bytes.
import { describe, expect, it } from 'vitest';
import { BYTE_MAX, byteOfUnit, scalePixels, unitOfByte } from '../../src/shared/pixels.js';

const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('pixel scaling', () => {
  it('maps 0–255 onto 0–1: the values the trainer has always fed its models', () => {
    expect([unitOfByte(0), unitOfByte(BYTE_MAX)]).toEqual([0, 1]);
    const out = scalePixels(bytes, new Float32Array(256));
    for (let b = 0; b < 256; b++) {
      expect(unitOfByte(b)).toBe(b / 255);
      expect(out[b]).toBe(Math.fround(b / 255));
    }
  });

  it('gives every byte back from its float, rounds in-between values and clamps', () => {
    const out = scalePixels(bytes, new Float32Array(256));
    expect(Uint8Array.from(out, byteOfUnit)).toEqual(bytes);
    expect([byteOfUnit(0.5), byteOfUnit(-0.2), byteOfUnit(1.3)]).toEqual([128, 0, 255]);
    // The mnist package's 3-decimal floats come back as the original bytes.
    for (let b = 0; b < 256; b++) expect(byteOfUnit(Number((b / 255).toFixed(3)))).toBe(b);
  });

  it('writes into one image’s view of a batch and leaves the rest alone', () => {
    const batch = new Float32Array(12).fill(-1);
    scalePixels(Uint8Array.of(0, 51, 255, 102), batch.subarray(4, 8));
    expect([...batch]).toEqual([-1, -1, -1, -1, 0, 0.2, 1, 0.4, -1, -1, -1, -1].map(Math.fround));
  });
});
