// Prediction and explanation requests: a model rebuilt from its layers and a stored checkpoint.
// Test-time augmentation averages the image with copies shifted by one pixel in each direction.

import { argmax, PIXELS } from '../shared/digits.js';
import { unitOfByte } from '../shared/pixels.js';
import type { TrainerRequest } from '../shared/trainer-protocol.js';
import { createEngine } from './engine/index.js';
import type { Engine, ModelArtifacts } from './engine/types.js';
import { engineStateOf } from './checkpoint.js';

const SIDE = 28;
/** The TTA views: the image itself and shifts right, left, down and up (by `ttaShift` pixels, default 1). */
export const TTA_SHIFTS: readonly [number, number][] = [
  [0, 0],
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];

type PredictRequest = Extract<TrainerRequest, { type: 'predict' }>;
type ExplainRequest = Extract<TrainerRequest, { type: 'explain' }>;
type ExportRequest = Extract<TrainerRequest, { type: 'export' }>;

async function engineFor(req: PredictRequest | ExplainRequest | ExportRequest): Promise<Engine> {
  const engine = await createEngine({
    layers: req.model,
    optimizer: { name: 'adam', learningRate: req.checkpoint.state.learningRate },
    seed: 0,
    backend: req.backend ?? undefined,
    // Predictions of a whole test set split across both cores; one image is not worth a second thread.
    workers: req.type === 'predict' && req.pixels.length > PIXELS * 2048 ? undefined : 1,
  });
  await engine.loadState(engineStateOf(req.checkpoint));
  return engine;
}

/** Pixels scaled to 0–1, moved by (dx, dy) with black filling the uncovered edge. */
export function shiftedScaled(pixels: Uint8Array, dx: number, dy: number): Float32Array {
  const n = pixels.length / PIXELS;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < n; i++) {
    const base = i * PIXELS;
    for (let y = 0; y < SIDE; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= SIDE) continue;
      for (let x = 0; x < SIDE; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < SIDE) out[base + y * SIDE + x] = unitOfByte(pixels[base + sy * SIDE + sx]);
      }
    }
  }
  return out;
}

/** Images per progress step: large enough to keep both threads busy. */
const CHUNK = 7000;

export async function predict(req: PredictRequest, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
  const engine = await engineFor(req);
  try {
    return await predictWith(engine, req.pixels, { tta: req.tta, ttaShift: req.ttaShift }, onProgress);
  } finally {
    await engine.dispose();
  }
}

/** n × 10 probabilities of `pixels` (n × 784 bytes) on a loaded engine, averaged over the TTA views when asked. */
export async function predictWith(
  engine: Engine, pixels: Uint8Array, opts: { tta: boolean; ttaShift?: number }, onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const n = pixels.length / PIXELS;
  const step = opts.ttaShift ?? 1;
  const shifts = (opts.tta ? TTA_SHIFTS : TTA_SHIFTS.slice(0, 1)).map(([dx, dy]) => [dx * step, dy * step]);
  const result = new Float32Array(n * 10);
  const total = n * shifts.length;
  let done = 0;
  for (const [dx, dy] of shifts) {
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const probs = await engine.predict(shiftedScaled(pixels.subarray(start * PIXELS, end * PIXELS), dx, dy));
      for (let i = 0; i < probs.length; i++) result[start * 10 + i] += probs[i];
      done += end - start;
      onProgress?.(done, total);
    }
  }
  if (shifts.length > 1) for (let i = 0; i < result.length; i++) result[i] /= shifts.length;
  return result;
}

export async function explain(req: ExplainRequest): Promise<{ cls: number; probs: Float32Array; saliency: Float32Array }> {
  const engine = await engineFor(req);
  try {
    const x = shiftedScaled(req.pixels, 0, 0);
    const probs = await engine.predict(x);
    const cls = req.cls ?? argmax(probs);
    return { cls, probs, saliency: await engine.saliency(x, cls) };
  } finally {
    await engine.dispose();
  }
}

export async function exportModel(req: ExportRequest): Promise<ModelArtifacts> {
  const engine = await engineFor(req);
  try {
    return await engine.exportArtifacts();
  } finally {
    await engine.dispose();
  }
}
