// bench:recipe's and bench:replay's split of a generated set as the trainer makes it: the first 90% trained on (by
// index), the last 10% validated, scaled to 0–1, and the fixed sample the `recomputed` BatchNorm statistics use.
import { bnSampleOrder } from '../../build/node/trainer/batches.js';
import { scalePixels } from '../../build/node/shared/pixels.js';

export function recipeSplit(data, hp, seed) {
  const n = data.labels.length;
  const nVal = Math.round(n * hp.validation.ratio);
  const train = Int32Array.from({ length: n - nVal }, (_, i) => i);
  const scaled = (indices) => {
    const x = new Float32Array(indices.length * 784);
    indices.forEach((src, i) => scalePixels(data.pixels.subarray(src * 784, (src + 1) * 784), x.subarray(i * 784, (i + 1) * 784)));
    return x;
  };
  const valIdx = Int32Array.from({ length: nVal }, (_, i) => n - nVal + i);
  const val = { x: scaled(valIdx), y: Uint8Array.from(valIdx, (i) => data.labels[i]) };
  return { nVal, train, val, sample: scaled(bnSampleOrder(train, hp.batchSize, seed)) };
}
