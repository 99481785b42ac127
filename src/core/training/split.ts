// Train/validation split. "tail" is the seed notebook's: the last ratio of the file, no shuffle before it.
// "stratified" draws the same ratio from every class with the run's seed. "kfold" holds out one of k stratified
// folds; every fold run of a label-issues job shares the seed, hence the fold assignment.

import { badInput } from '../../shared/errors.js';
import { mixSeed, mulberry32, shuffleInPlace } from '../../shared/random.js';

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

export interface SplitOptions {
  mode: 'tail' | 'stratified' | 'kfold';
  ratio: number;
  seed: number;
  fold?: { count: number; index: number };
}

/** The fold (0..count-1) of every row: each class shuffled with the seed, then dealt round-robin. */
export function foldAssignment(labels: Uint8Array, count: number, seed: number): Uint8Array {
  const random = mulberry32(mixSeed(seed, 0xf01d));
  const folds = new Uint8Array(labels.length);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  // One dealing position across classes, so small classes do not all land in fold 0.
  let k = 0;
  for (const members of byClass) {
    shuffleInPlace(members, random);
    for (const i of members) folds[i] = k++ % count;
  }
  return folds;
}

export function splitIndices(labels: Uint8Array, opts: SplitOptions): Split {
  const n = labels.length;
  if (opts.mode === 'kfold') {
    if (!opts.fold) throw badInput('validation.fold: kfold needs {count, index}');
    const { count, index } = opts.fold;
    if (index >= count) throw badInput(`validation.fold.index: must be below fold.count ${count}, got ${index}`);
    const folds = foldAssignment(labels, count, opts.seed);
    const train: number[] = [];
    const val: number[] = [];
    folds.forEach((f, i) => (f === index ? val : train).push(i));
    return { train: Int32Array.from(train), val: Int32Array.from(val) };
  }
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
