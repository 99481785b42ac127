// Why a model said what it said: a saliency map (gradient of the predicted class's probability with respect to
// the pixels, computed in a trainer process) and a preview of the run's augmentation on one digit.

import { PIXELS } from '../../shared/digits.js';
import { byteOfUnit } from '../../shared/pixels.js';
import type { Db } from '../db/open.js';
import { conflict } from '../../shared/errors.js';
import { augmentInto } from '../../shared/augment.js';
import { mixSeed, mulberry32 } from '../../shared/random.js';
import type { WeightsSlot } from '../../shared/trainer-protocol.js';
import { getRunDetail } from '../training/runs-repo.js';
import { requireCheckpoint } from '../inference/model-export.js';
import type { PredictContext } from '../inference/predictions.js';


export async function explainDigit(
  ctx: PredictContext,
  opts: { runId: number; weights: WeightsSlot; pixels: Uint8Array; cls: number | null },
): Promise<{ cls: number; probs: number[]; saliency: number[] }> {
  const run = getRunDetail(ctx.db, opts.runId);
  const checkpoint = requireCheckpoint(ctx.db, opts.runId, opts.weights);
  const reply = await ctx.client.request(
    { type: 'explain', model: run.hyperparams.model, checkpoint, pixels: opts.pixels, cls: opts.cls, backend: ctx.backend },
    'explained',
  );
  return { cls: reply.cls, probs: Array.from(reply.probs), saliency: Array.from(reply.saliency) };
}

/** `count` views of one digit under the run's augmentation (the first is the digit itself). */
export function augmentationPreview(db: Db, opts: { runId: number; pixels: Uint8Array; count: number; seed: number }): string[] {
  const run = getRunDetail(db, opts.runId);
  const aug = run.hyperparams.augmentation;
  if (!aug) throw conflict(`run ${opts.runId} (${run.preset}) trains without augmentation`);
  const random = mulberry32(mixSeed(opts.seed, opts.runId, 0xa06));
  const views = [Buffer.from(opts.pixels).toString('base64')];
  const out = new Float32Array(PIXELS);
  for (let i = 1; i < opts.count; i++) {
    augmentInto(opts.pixels, out, aug, random);
    views.push(Buffer.from(Uint8Array.from(out, byteOfUnit)).toString('base64'));
  }
  return views;
}
