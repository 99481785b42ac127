// The training engine: createEngine() resolves the backend, builds the model from its spec and starts the
// data-parallel workers. The trainer loop drives it batch by batch through the Engine interface.

import { availableParallelism } from 'node:os';
import { badInput } from '../../shared/errors.js';
import { resolveBackend, useBackend } from './backend.js';
import { BatchExchange } from './batch-exchange.js';
import { TfEngine } from './engine.js';
import { initialWeights, planModel } from './model.js';
import { Optimizer } from './optimizer.js';
import { Replica } from './replica.js';
import type { BackendName, Engine, EngineOptions } from './types.js';
import { EngineWorker } from './worker-pool.js';

export type * from './types.js';
export { availableBackends, resolveBackend, type BackendAvailability } from './backend.js';
export { planModel, summarize } from './model.js';

/**
 * Most data-parallel workers a run gets by default. Each worker trains its share of the batch and all of them meet
 * at every BatchNorm layer (twice per layer per step), so shares shrink and waits grow with the count: at 4, a
 * 32-image batch still gives each worker 8 images. Measured here only up to the 2 cores this machine has (README,
 * Benchmarks); `--workers` / the run's `workers` setting overrides it either way.
 */
export const WORKER_CAP = 4;

/**
 * tfjs-node already spreads work over the cores; wasm and cpu are single-threaded, so one replica per core (up to
 * WORKER_CAP) is how a run uses the machine. `cores` defaults to os.availableParallelism().
 */
export function defaultWorkers(backend: BackendName, cores = availableParallelism()): number {
  return backend === 'tensorflow' ? 1 : Math.min(WORKER_CAP, Math.max(1, cores));
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const plan = planModel(opts.layers);
  if (!Number.isInteger(opts.seed)) throw badInput('The seed must be an integer');
  const optimizer = new Optimizer(opts.optimizer, plan);
  const { name, note } = await resolveBackend(opts.backend);
  const count = opts.workers ?? defaultWorkers(name);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw badInput('workers must be an integer from 1 to 64');
  await useBackend(name);

  // Workers read the master weights straight from shared memory after each optimizer step.
  const shared = count > 1 ? new SharedArrayBuffer(plan.size * 4) : null;
  const weights = shared ? new Float32Array(shared) : new Float32Array(plan.size);
  weights.set(initialWeights(plan, opts.seed));
  const local = new Replica(plan, opts.seed);
  local.loadWeights(weights);
  // Room for the widest BatchNorm's exchange: a count, then a mean and a sum of squared deviations per channel.
  const exchange = count > 1 ? BatchExchange.create(count, 1 + 2 * Math.max(0, ...plan.bnChannels)) : null;
  const started = shared && exchange
    ? await Promise.allSettled(Array.from({ length: count - 1 }, () =>
      EngineWorker.start({ layers: opts.layers, seed: opts.seed, backend: name, weights: shared, size: plan.size, exchange: exchange.layout })))
    : [];
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    local.dispose();
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason;
  }
  return new TfEngine({ plan, layers: opts.layers, seed: opts.seed, backend: name, backendNote: note, weights, optimizer, local, workers, exchange });
}
