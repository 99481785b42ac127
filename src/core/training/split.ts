// Train/validation split. "tail" is the seed notebook's: the last ratio of the file, no shuffle before it.
// "stratified" draws the same ratio from every class with the run's seed.

import { mixSeed, mulberry32, shuffleInPlace } from '../../shared/random.js';

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

export function splitIndices(labels: Uint8Array, opts: { mode: 'tail' | 'stratified'; ratio: number; seed: number }): Split {
  const n = labels.length;
  if (opts.mode === 'tail') {
    const valCount = Math.round(n * opts.ratio);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all.slice(0, n - valCount), val: all.slice(n - valCount) };
  }
  const random = mulberry32(mixSeed(opts.seed, 0x57a7));
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  const val: number[] = [];
  const train: number[] = [];
  for (const members of byClass) {
    shuffleInPlace(members, random);
    const take = Math.round(members.length * opts.ratio);
    val.push(...members.slice(0, take));
    train.push(...members.slice(take));
  }
  return { train: Int32Array.from(train).sort(), val: Int32Array.from(val).sort() };
}
