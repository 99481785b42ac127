// The one pixel scaling: digits are stored and drawn as bytes 0–255 (0 background, 255 full ink) and models see
// floats 0–1. Training, augmentation, inference, the augmentation preview and image import all convert here.

/** The largest channel byte: full ink, white, opaque. */
export const BYTE_MAX = 255;

/** A byte 0–255 as the float 0–1 a model sees (0 → 0, 255 → 1). */
export function unitOfByte(byte: number): number {
  return byte / BYTE_MAX;
}

/** A value 0–1 as the nearest byte (clamped), for storing or drawing a computed image. */
export function byteOfUnit(unit: number): number {
  const byte = Math.round(unit * BYTE_MAX);
  return byte < 0 ? 0 : byte > BYTE_MAX ? BYTE_MAX : byte;
}

/** Scales pixel bytes into `out` (which may be one image's view of a batch) as model inputs 0–1; returns `out`. */
export function scalePixels(bytes: ArrayLike<number>, out: Float32Array): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / BYTE_MAX;
  return out;
}
