// The learning-rate range test's arithmetic (fastai's lr_find, Smith 2015): the exponential schedule, the
// smoothed loss, the stop rule and the two suggestions. Pure, so it is tested without training anything.

export const LR_MIN = 1e-7;
export const LR_MAX = 1;
/** fastai's: smoothing over ~50 batches, stop once the smoothed loss is 4× its minimum. */
const BETA = 0.98;
const DIVERGED = 4;

export interface LrPoint {
  lr: number;
  /** The bias-corrected exponential moving average of the batch losses. */
  loss: number;
}

export interface LrSuggestion {
  /** Where the smoothed loss falls fastest against log10(lr). */
  steepest: number | null;
  /** The learning rate of the lowest smoothed loss, divided by 10. */
  minOver10: number | null;
}

/** lr of step i of n: LR_MIN → LR_MAX evenly on a log scale. */
export function lrAt(i: number, steps: number): number {
  return LR_MIN * (LR_MAX / LR_MIN) ** (i / Math.max(1, steps - 1));
}

export class LossSmoother {
  #avg = 0;
  #n = 0;
  #min = Infinity;

  /** Adds a batch loss; returns the smoothed loss and whether the test should stop (diverged or not finite). */
  add(loss: number): { smoothed: number; stop: boolean } {
    this.#n++;
    this.#avg = BETA * this.#avg + (1 - BETA) * loss;
    const smoothed = this.#avg / (1 - BETA ** this.#n);
    if (!Number.isFinite(smoothed)) return { smoothed, stop: true };
    this.#min = Math.min(this.#min, smoothed);
    return { smoothed, stop: this.#n > 1 && smoothed > DIVERGED * this.#min };
  }
}

export function suggest(points: LrPoint[]): LrSuggestion {
  const finite = points.filter((p) => Number.isFinite(p.loss));
  if (finite.length < 3) return { steepest: null, minOver10: null };
  let lowest = finite[0];
  for (const p of finite) if (p.loss < lowest.loss) lowest = p;
  // Central differences of loss against log10(lr); the last points (the blow-up) are left out.
  let steepest: LrPoint | null = null;
  let slope = 0;
  const end = finite.indexOf(lowest) + 1;
  for (let i = 1; i < Math.min(end, finite.length - 1); i++) {
    const d = (finite[i + 1].loss - finite[i - 1].loss) / (Math.log10(finite[i + 1].lr) - Math.log10(finite[i - 1].lr));
    if (d < slope) {
      slope = d;
      steepest = finite[i];
    }
  }
  return { steepest: steepest?.lr ?? null, minOver10: lowest.lr / 10 };
}
