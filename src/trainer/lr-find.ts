// The learning-rate range test on the run's model and training images: ~100 mini-batches with the learning rate
// rising exponentially from 1e-7 to 1, the smoothed loss recorded at each, stopping once it blows up.

import { PIXELS } from '../shared/digits.js';
import { mixSeed, mulberry32, shuffleInPlace } from '../shared/random.js';
import type { TrainerRequest } from '../shared/trainer-protocol.js';
import type { Engine } from './engine/types.js';
import { fillBatch } from './batches.js';
import { LossSmoother, lrAt, suggest, type LrPoint, type LrSuggestion } from './lr-range.js';

type LrFindRequest = Extract<TrainerRequest, { type: 'lr-find' }>;

export async function lrFind(req: LrFindRequest, engine: Engine, progress: (done: number, total: number) => void): Promise<{ points: LrPoint[] } & LrSuggestion> {
  const hp = req.hyperparams;
  const order = shuffleInPlace(Int32Array.from(req.trainIndices), mulberry32(mixSeed(hp.seed, 0x1f)));
  const n = order.length;
  const x = new Float32Array(hp.batchSize * PIXELS);
  const y = new Uint8Array(hp.batchSize);
  const smoother = new LossSmoother();
  const points: LrPoint[] = [];
  for (let i = 0; i < req.steps; i++) {
    const lr = lrAt(i, req.steps);
    engine.setLearningRate(lr);
    // Past the end of the images, start over: a small dataset still gets its ~100 batches.
    const start = (i * hp.batchSize) % n;
    const end = Math.min(n, start + hp.batchSize);
    const m = end - start;
    fillBatch({ pixels: req.pixels, labels: req.labels, order, start, end, x, y, augmentation: null });
    const r = await engine.trainBatch(x.subarray(0, m * PIXELS), y.subarray(0, m));
    const { smoothed, stop } = smoother.add(r.loss);
    if (Number.isFinite(smoothed)) points.push({ lr, loss: smoothed });
    progress(i + 1, req.steps);
    if (stop) break;
  }
  return { points, ...suggest(points) };
}
