// Confident learning (Northcutt, Jiang & Chuang, JAIR 2021): which given labels are likely wrong, from out-of-fold
// predicted probabilities. Written here because no JavaScript library implements it (cleanlab is Python); this
// follows the paper and cleanlab's find_label_issues with filter_by "prune_by_noise_rate", not its code.

const CLASSES = 10;
/** Never flag a class below this many kept examples, whatever the noise estimate (as cleanlab does). */
const MIN_KEPT_PER_CLASS = 5;

export interface LabelIssue {
  /** 0-based row of the image in its dataset. */
  idx: number;
  label: number;
  /** The class the confident joint put it in (the likely true label). */
  suggested: number;
  /** 0–1, higher = more likely mislabelled (1 − the label quality of the chosen ranking). */
  score: number;
}

export type RankBy = 'self-confidence' | 'normalized-margin';

/** t_j: the mean probability of class j over the examples labelled j (the model's self-confidence for j). */
export function classThresholds(labels: Uint8Array, probs: Float32Array): number[] {
  const sum = new Array<number>(CLASSES).fill(0);
  const count = new Array<number>(CLASSES).fill(0);
  labels.forEach((label, i) => {
    sum[label] += probs[i * CLASSES + label];
    count[label]++;
  });
  // A class nobody carries cannot be confidently predicted: an infinite threshold keeps it out of the joint.
  return sum.map((s, j) => (count[j] ? s / count[j] : Infinity));
}

/**
 * The confident joint C[given][true] and, per row, the class it counted under (-1 when no class reached its
 * threshold): among the classes j with p_j ≥ t_j, the most probable one.
 */
export function confidentJoint(labels: Uint8Array, probs: Float32Array, thresholds: number[]): { joint: number[][]; guess: Int8Array } {
  const joint = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  const guess = new Int8Array(labels.length).fill(-1);
  for (let i = 0; i < labels.length; i++) {
    let best = -1;
    for (let j = 0; j < CLASSES; j++) {
      const p = probs[i * CLASSES + j];
      // The small tolerance is cleanlab's: an example exactly at its class mean must count.
      if (p >= thresholds[j] - 1e-6 && (best < 0 || p > probs[i * CLASSES + best])) best = j;
    }
    guess[i] = best;
    if (best >= 0) joint[labels[i]][best]++;
  }
  return { joint, guess };
}

/** Each row scaled to the given label's real count (rows without a confident example stay 0), then rounded. */
export function calibrateJoint(joint: number[][], labelCounts: number[]): number[][] {
  return joint.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? row.map(() => 0) : row.map((c) => Math.round((c / total) * labelCounts[i]));
  });
}

/** 1 − quality: self-confidence p_label, or the normalised margin (p_label − max other p + 1) / 2. */
function issueScore(probs: Float32Array, i: number, label: number, rankBy: RankBy): number {
  const p = probs.subarray(i * CLASSES, (i + 1) * CLASSES);
  if (rankBy === 'self-confidence') return 1 - p[label];
  let other = 0;
  for (let j = 0; j < CLASSES; j++) if (j !== label && p[j] > other) other = p[j];
  return 1 - (p[label] - other + 1) / 2;
}

const argmax = (probs: Float32Array, i: number) => {
  let best = 0;
  for (let j = 1; j < CLASSES; j++) if (probs[i * CLASSES + j] > probs[i * CLASSES + best]) best = j;
  return best;
};

/**
 * prune_by_noise_rate: for each off-diagonal cell (given i, true j) of the calibrated joint, flag that many
 * examples labelled i with the largest margin p_j − p_i. An example the model still predicts as its given label
 * is not flagged. Returns the issues ranked most likely first.
 */
export function findLabelIssues(labels: Uint8Array, probs: Float32Array, opts: { rankBy?: RankBy } = {}): LabelIssue[] {
  if (probs.length !== labels.length * CLASSES) throw new Error(`expected ${labels.length}×10 probabilities, got ${probs.length}`);
  const counts = new Array<number>(CLASSES).fill(0);
  labels.forEach((l) => counts[l]++);
  const { joint } = confidentJoint(labels, probs, classThresholds(labels, probs));
  const calibrated = calibrateJoint(joint, counts);
  const suggestedOf = new Map<number, { suggested: number; margin: number }>();
  for (let given = 0; given < CLASSES; given++) {
    const members: number[] = [];
    labels.forEach((l, i) => l === given && members.push(i));
    let budget = Math.max(0, counts[given] - MIN_KEPT_PER_CLASS);
    for (let truth = 0; truth < CLASSES; truth++) {
      if (truth === given) continue;
      const take = Math.min(calibrated[given][truth], budget);
      if (take <= 0) continue;
      const margin = (i: number) => probs[i * CLASSES + truth] - probs[i * CLASSES + given];
      const chosen = [...members].sort((a, b) => margin(b) - margin(a)).slice(0, take);
      budget -= take;
      for (const i of chosen) {
        const seen = suggestedOf.get(i);
        // Flagged under two true classes: keep the one it leans to most.
        if (!seen || margin(i) > seen.margin) suggestedOf.set(i, { suggested: truth, margin: margin(i) });
      }
    }
  }
  const rankBy = opts.rankBy ?? 'normalized-margin';
  const issues: LabelIssue[] = [];
  for (const [idx, { suggested }] of suggestedOf) {
    if (argmax(probs, idx) === labels[idx]) continue;
    issues.push({ idx, label: labels[idx], suggested, score: issueScore(probs, idx, labels[idx], rankBy) });
  }
  return issues.sort((a, b) => b.score - a.score || a.idx - b.idx);
}
