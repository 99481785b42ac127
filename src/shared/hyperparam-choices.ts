// The fixed choices among the hyperparameters, apart from their schemas: the renderer's selects import these
// without bringing zod and the schemas (which only the core runs) into the page's bundle.

export const MONITORS = ['loss', 'acc', 'val_loss', 'val_acc'] as const;
export type Monitor = (typeof MONITORS)[number];

export const PRESET_NAMES = ['seed-lenet5', 'dnn', 'cnn-strong'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * What BatchNorm layers normalise with at inference (validation, prediction, export): `keras` the moving averages
 * (momentum 0.99, variance starting at 1: Keras's, reproduced exactly), `debiased` the same averages corrected by
 * 1 − 0.99ᵗ after t steps (as Adam corrects its moments), `recomputed` population statistics re-estimated over a fixed
 * sample of training images before each validation.
 */
export const BN_STATS = ['keras', 'debiased', 'recomputed'] as const;
export type BnStats = (typeof BN_STATS)[number];

/** One line per choice, for the New run form and the CLI's help. */
export const BN_STATS_HINTS: Record<BnStats, string> = {
  keras: "Keras's moving averages: exact reproduction, but meaningless validation for the first epochs on small data",
  debiased: 'the moving averages corrected for their start (1 − 0.99ᵗ), as Adam corrects its moments',
  recomputed: 're-estimated over 2,048 training images before each validation: the truest early validation',
};
