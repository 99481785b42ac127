// ONNX Runtime (onnxruntime-node, CPU) on exported models, and the comparison the export tests make: the file's
// probabilities against the app's own prediction, image by image.
import * as ort from 'onnxruntime-node';
import { PIXELS } from '../../src/shared/digits.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';

/** Probabilities (n × 10) of the model in `file` for `pixels` (n × 784 bytes), fed raw as the export expects. */
export async function runOnnx(file: Uint8Array, pixels: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const n = pixels.length / PIXELS;
    const input = new ort.Tensor('float32', Float32Array.from(pixels), [n, 28, 28, 1]);
    const out = await session.run({ pixels: input });
    return out.probabilities.data as Float32Array;
  } finally {
    await session.release();
  }
}

export interface Agreement {
  maxDiff: number;
  /** Images whose most probable class differs. */
  labelMismatches: number;
}

export function agreement(a: Float32Array, b: Float32Array): Agreement {
  if (a.length !== b.length) throw new Error(`${a.length} probabilities against ${b.length}`);
  let maxDiff = 0;
  let labelMismatches = 0;
  for (let row = 0; row < a.length / 10; row++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < 10; k++) {
      const i = row * 10 + k;
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      if (a[i] > a[row * 10 + ia]) ia = k;
      if (b[i] > b[row * 10 + ib]) ib = k;
    }
    if (ia !== ib) labelMismatches++;
  }
  return { maxDiff, labelMismatches };
}

/**
 * Every layer type and option the layer editor offers, in the places an exporter gets wrong: 'same' padding with
 * stride 2 and with an even kernel (TF pads the extra pixel at the bottom and right), 'valid' padding, pooling
 * whose stride is not its size, BatchNorm after a linear conv, after a ReLU conv, after pooling and after a dense
 * layer, softmax in the middle (over the channels), a linear activation, dropout, and a Flatten of an image with
 * several channels (Keras flattens height, width, channel).
 */
export const EVERY_LAYER: LayerSpec[] = [
  { type: 'activation', activation: 'linear' },
  { type: 'conv2d', filters: 4, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' },
  { type: 'batchNorm' },
  { type: 'conv2d', filters: 6, kernelSize: 4, padding: 'same', activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'softmax' },
  { type: 'maxPool2d', poolSize: 3, strides: 2 },
  { type: 'batchNorm' },
  { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'valid', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 2 },
  { type: 'dropout', rate: 0.3 },
  { type: 'flatten' },
  { type: 'dense', units: 16, activation: 'linear' },
  { type: 'batchNorm' },
  { type: 'activation', activation: 'relu' },
  { type: 'dense', units: 10, activation: 'linear' },
  { type: 'activation', activation: 'softmax' },
];
