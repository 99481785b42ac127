// A model as plain data: presets produce it, the trainer builds a tfjs model from it, the UI shows it.

export type Activation = 'relu' | 'softmax' | 'linear';

export type LayerSpec =
  | { type: 'conv2d'; filters: number; kernelSize: number; strides?: number; padding: 'same' | 'valid'; activation: Activation }
  | { type: 'maxPool2d'; poolSize: number; strides?: number }
  | { type: 'batchNorm' }
  | { type: 'activation'; activation: Activation }
  | { type: 'dropout'; rate: number }
  | { type: 'flatten' }
  | { type: 'dense'; units: number; activation: Activation };

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

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
