// The embedding map's computation: a model rebuilt from its best checkpoint, the validation digits' penultimate-layer
// activations, then UMAP (umap-js) to 2-D, seeded so the same run, digits and seed give the same coordinates.

import { UMAP } from 'umap-js';
import { PIXELS } from '../shared/digits.js';
import { badInput } from '../shared/errors.js';
import { mixSeed, mulberry32 } from '../shared/random.js';
import type { TrainerRequest } from '../shared/trainer-protocol.js';
import { engineStateOf } from './checkpoint.js';
import { createEngine } from './engine/index.js';
import { shiftedScaled } from './inference.js';

type EmbedRequest = Extract<TrainerRequest, { type: 'embed' }>;
export type EmbedProgress = (stage: 'activations' | 'neighbours' | 'layout', done: number, total: number) => void;

/** Images per forward chunk, so progress moves while a large validation set (4,200 Kaggle digits) goes through. */
const CHUNK = 512;
/** UMAP epochs between progress reports (and yields, so the process still hears other requests). */
const REPORT_EVERY = 10;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function embed(req: EmbedRequest, progress: EmbedProgress): Promise<{ backend: string; coords: Float32Array; probs: Float32Array; width: number }> {
  const n = req.pixels.length / PIXELS;
  if (!Number.isInteger(n) || n === 0) throw badInput('pixels: must be a non-empty multiple of 784 bytes');
  if (!Number.isInteger(req.neighbors) || req.neighbors < 2) throw badInput('neighbors: must be a whole number of at least 2');
  if (n <= req.neighbors) throw badInput(`neighbors: ${req.neighbors} needs more than ${req.neighbors} validation digits, the run has ${n}`);
  const engine = await createEngine({
    layers: req.model,
    optimizer: { name: 'adam', learningRate: req.checkpoint.state.learningRate },
    seed: 0,
    backend: req.backend ?? undefined,
    // The machine's default worker count: the activations are split across them as prediction is.
  });
  let backend: string;
  const rows: number[][] = [];
  const probs = new Float32Array(n * 10);
  let width = 0;
  try {
    backend = engine.backend;
    await engine.loadState(engineStateOf(req.checkpoint));
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const out = await engine.features(shiftedScaled(req.pixels.subarray(start * PIXELS, end * PIXELS), 0, 0));
      width = out.width;
      for (let i = 0; i < end - start; i++) rows.push(Array.from(out.features.subarray(i * width, (i + 1) * width)));
      probs.set(out.probs, start * 10);
      progress('activations', end, n);
      await tick();
    }
  } finally {
    await engine.dispose();
  }

  // umap-js draws every random number (NN-descent, initial layout, negative samples) from this function.
  const umap = new UMAP({ nComponents: 2, nNeighbors: req.neighbors, minDist: 0.1, random: mulberry32(mixSeed(req.seed, 0x0e3b)) });
  progress('neighbours', 0, 1);
  const epochs = umap.initializeFit(rows);
  progress('neighbours', 1, 1);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if ((e + 1) % REPORT_EVERY === 0 || e + 1 === epochs) {
      progress('layout', e + 1, epochs);
      await tick();
    }
  }
  const coords = new Float32Array(n * 2);
  umap.getEmbedding().forEach(([x, y], i) => {
    coords[i * 2] = x;
    coords[i * 2 + 1] = y;
  });
  return { backend, coords, probs, width };
}
