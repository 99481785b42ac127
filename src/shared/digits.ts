// The shape of the problem: 28×28 one-byte pixels, 10 classes, and the argmax every prediction ends in.

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;

/** The most probable class of row `row` of an n × 10 probability array (ties → the lower class). */
export function argmax(probs: ArrayLike<number>, row = 0): number {
  const base = row * CLASSES;
  let best = 0;
  for (let k = 1; k < CLASSES; k++) if (probs[base + k] > probs[base + best]) best = k;
  return best;
}

/** The predicted class of every row of an n × 10 probability array. */
export function argmaxRows(probs: ArrayLike<number>): Uint8Array {
  const labels = new Uint8Array(probs.length / CLASSES);
  for (let r = 0; r < labels.length; r++) labels[r] = argmax(probs, r);
  return labels;
}

/**
 * The number a user sees for a dataset row: 1-based, the CSV line minus one (line 1 is the header). Code keeps
 * 0-based indices; every view, message and command shows this one, so a digit has one number everywhere.
 */
export function rowNumber(idx: number): number {
  return idx + 1;
}
