// A model as plain data: presets produce it, the trainer builds a tfjs model from it, the UI shows it.

import * as z from 'zod';
import * as s from './validation.js';

const activation = s.oneOf(['relu', 'softmax', 'linear']);
export type Activation = z.output<typeof activation>;

const layers = [
  s.object({
    type: s.oneOf(['conv2d']),
    filters: s.int({ min: 1, max: 512 }),
    kernelSize: s.int({ min: 1, max: 9 }),
    strides: s.optional(s.int({ min: 1, max: 4 })),
    padding: s.oneOf(['same', 'valid']),
    activation,
  }),
  s.object({ type: s.oneOf(['maxPool2d']), poolSize: s.int({ min: 1, max: 4 }), strides: s.optional(s.int({ min: 1, max: 4 })) }),
  s.object({ type: s.oneOf(['batchNorm']) }),
  s.object({ type: s.oneOf(['activation']), activation }),
  s.object({ type: s.oneOf(['dropout']), rate: s.num({ min: 0, max: 0.95 }) }),
  s.object({ type: s.oneOf(['flatten']) }),
  s.object({ type: s.oneOf(['dense']), units: s.int({ min: 1, max: 4096 }), activation }),
] as const;
const layerType = s.expected(`one of ${layers.map((l) => l.shape.type.options[0]).join(', ')}`);
const notALayer = s.expected('a layer (an object with a type)');

/** One layer: its `type` picks the fields it takes, so a wrong type is reported once, as the type. */
export const layerSchema = z.discriminatedUnion('type', layers, {
  // An unknown type comes at the path "type" with the whole layer as its input.
  error: (issue) => (issue.code === 'invalid_union' ? layerType({ input: (issue.input as { type?: unknown }).type }) : notALayer(issue)),
});

export type LayerSpec = z.output<typeof layerSchema>;

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerSpec {
  name: OptimizerName;
  learningRate: number;
  /** SGD momentum; ignored by the others. */
  momentum?: number;
}

/** One row of a Keras-style model summary. */
export interface SummaryRow {
  layer: string; // e.g. "conv2d_1 (Conv2D)"
  outputShape: (number | null)[];
  params: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
}
