// The engine's default worker count follows the machine's cores, up to its cap; tfjs-node threads by itself.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createEngine, defaultWorkers, WORKER_CAP } from '../../src/trainer/engine/index.js';
import { presets } from '../../src/core/training/presets.js';

describe('default data-parallel workers', () => {
  it('is one per core up to the cap on wasm and cpu, one on tfjs-node', () => {
    expect([1, 2, 3, 16, 64].map((cores) => defaultWorkers('wasm', cores))).toEqual([1, 2, 3, WORKER_CAP, WORKER_CAP]);
    expect(defaultWorkers('cpu', 0)).toBe(1);
    expect(defaultWorkers('tensorflow', 16)).toBe(1);
  });

  it('is what an engine without a workers setting starts with', async () => {
    const engine = await createEngine({ layers: presets['seed-lenet5'].hyperparams.model, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 1, backend: 'cpu' });
    try {
      expect(engine.workers).toBe(Math.min(WORKER_CAP, availableParallelism()));
    } finally {
      await engine.dispose();
    }
  }, 60_000);
});
