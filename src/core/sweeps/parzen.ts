// Parzen estimators for TPE (one per parameter): a mixture of truncated Gaussians over observed points plus a
// wide prior for numbers, smoothed counts for categories. Bandwidths follow Optuna's univariate rule: the
// larger distance to a sorted neighbour, clipped to [range / min(100, n + 1), range] (its "magic clip").

const SQRT2 = Math.SQRT2;

/** Abramowitz & Stegun 7.1.26 (error < 1.5e-7): enough for ranking candidates. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

const cdf = (x: number, mu: number, sigma: number) => 0.5 * (1 + erf((x - mu) / (sigma * SQRT2)));

export interface NumericParzen {
  mus: number[];
  sigmas: number[];
  weights: number[];
  low: number;
  high: number;
}

/** Observations live in the search's own space (log of the value for log ranges). */
export function numericParzen(observed: number[], low: number, high: number, priorWeight = 1): NumericParzen {
  const range = high - low;
  const mus = [...observed, (low + high) / 2];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sigmas = new Array<number>(mus.length).fill(range);
  const minSigma = range / Math.min(100, observed.length + 1);
  order.forEach((idx, pos) => {
    const left = pos > 0 ? mus[order[pos - 1]] : low;
    const right = pos < order.length - 1 ? mus[order[pos + 1]] : high;
    sigmas[idx] = Math.min(range, Math.max(minSigma, mus[idx] - left, right - mus[idx]));
  });
  sigmas[sigmas.length - 1] = range; // the prior stays wide
  const weights = [...observed.map(() => 1), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  return { mus, sigmas, weights: weights.map((w) => w / total), low, high };
}

/** Draws from the mixture, truncated to [low, high] by rejection (the prior keeps acceptance high). */
export function sampleNumeric(p: NumericParzen, rng: () => number): number {
  let u = rng();
  let k = 0;
  while (k < p.weights.length - 1 && u >= p.weights[k]) u -= p.weights[k++];
  for (let tries = 0; tries < 100; tries++) {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const x = p.mus[k] + p.sigmas[k] * z;
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, p.mus[k]));
}

export function logPdfNumeric(p: NumericParzen, x: number): number {
  let sum = 0;
  for (let k = 0; k < p.mus.length; k++) {
    const s = p.sigmas[k];
    const mass = cdf(p.high, p.mus[k], s) - cdf(p.low, p.mus[k], s);
    const density = Math.exp(-0.5 * ((x - p.mus[k]) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    sum += (p.weights[k] * density) / Math.max(mass, 1e-12);
  }
  return Math.log(Math.max(sum, 1e-300));
}

/** Category probabilities: counts plus a uniform prior of total weight `priorWeight`. */
export function categoricalParzen(observed: number[], choices: number, priorWeight = 1): number[] {
  const counts = new Array<number>(choices).fill(priorWeight / choices);
  for (const c of observed) counts[c] += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

export function sampleCategorical(probs: number[], rng: () => number): number {
  let u = rng();
  for (let i = 0; i < probs.length - 1; i++) {
    if (u < probs[i]) return i;
    u -= probs[i];
  }
  return probs.length - 1;
}
