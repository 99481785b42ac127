// A run whose validation accuracy is far below its training accuracy in its first epochs gets an explanation on its
// page, so a low early figure is read for what it is. With BatchNorm the usual cause is its running statistics:
// validation normalises with averages that start at mean 0 / variance 1 and catch up with the data only over many
// batches, while training normalises each batch by its own. Without BatchNorm it is too little data.

import type { EpochMetrics } from '../../shared/runs.js';
import type { Hyperparams } from '../../shared/hyperparams.js';
import { int, pct } from './format.js';

/** The epochs that count as early, and the gap (in accuracy) that counts as far below. */
export const EARLY_EPOCHS = 3;
export const FAR_BELOW = 0.2;

export interface ValGap {
  epoch: number;
  acc: number;
  valAcc: number;
  cause: 'batch-norm' | 'little-data';
  text: string;
}

/** The widest early gap of at least FAR_BELOW with its explanation, or null. `rows`: the training set's rows. */
export function valGap(hp: Hyperparams, epochs: EpochMetrics[], rows: number | null): ValGap | null {
  const early = epochs.filter((e) => e.epoch <= EARLY_EPOCHS && e.valAcc !== null && e.acc - e.valAcc >= FAR_BELOW);
  if (!early.length) return null;
  const worst = early.reduce((a, b) => (b.acc - b.valAcc! > a.acc - a.valAcc! ? b : a));
  const held = hp.validation.fold ? 1 / hp.validation.fold.count : hp.validation.ratio;
  const trainRows = rows === null ? null : Math.round(rows * (1 - held));
  const batches = trainRows === null ? null : Math.ceil(trainRows / hp.batchSize);
  const seen = `Validation ${pct(worst.valAcc)} against training ${pct(worst.acc)} in epoch ${worst.epoch}`;
  if (hp.model.some((l) => l.type === 'batchNorm')) {
    return {
      epoch: worst.epoch, acc: worst.acc, valAcc: worst.valAcc!, cause: 'batch-norm',
      text:
        `${seen}: this model's BatchNorm layers validate with running averages of their batch statistics, which start at mean 0 and ` +
        `variance 1 and catch up with the data's only over many batches${batches === null ? '' : ` (${int(batches)} per epoch here, from ${int(trainRows)} training images)`}, ` +
        'while training normalises each batch by its own. Until the averages catch up, validation scores far below training; the gap usually closes over the next epochs.',
    };
  }
  return {
    epoch: worst.epoch, acc: worst.acc, valAcc: worst.valAcc!, cause: 'little-data',
    text:
      `${seen}: a gap this wide this early usually means too little data${trainRows === null ? '' : ` (${int(trainRows)} training images)`}: ` +
      'the model fits the images it trains on faster than it learns what carries over to new ones. More rows, or augmentation, narrow it.',
  };
}
