// A stored checkpoint as the engine's state: weights, optimizer slots, step (the dropout stream) and learning rate.

import type { CheckpointData } from '../shared/trainer-protocol.js';
import type { EngineState } from './engine/types.js';

export function engineStateOf(c: CheckpointData): EngineState {
  return { weights: c.weights, optimizer: c.optimizer, step: c.state.step, learningRate: c.state.learningRate };
}
