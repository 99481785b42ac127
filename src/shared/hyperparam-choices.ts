// The fixed choices among the hyperparameters, apart from their schemas: the renderer's selects import these
// without bringing zod and the schemas (which only the core runs) into the page's bundle.

export const MONITORS = ['loss', 'acc', 'val_loss', 'val_acc'] as const;
export type Monitor = (typeof MONITORS)[number];

export const PRESET_NAMES = ['seed-lenet5', 'dnn', 'cnn-strong'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
