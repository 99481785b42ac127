// The training engine: createEngine() resolves the backend, builds the model from its spec and starts the
// data-parallel workers. The trainer loop drives it batch by batch through the Engine interface.

import { availableParallelism } from 'node:os';
import { badInput } from '../../shared/errors.js';
import { resolveBackend, useBackend } from './backend.js';
import { BatchExchange } from './batch-exchange.js';
import { TfEngine } from './engine.js';
import { initialWeights, planModel } from './model.js';
import { nativeInfo, setNativeThreads } from './native/backend.js';
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
 * The native kernels (oneDNN's OpenMP team) and tfjs-node spread each kernel over the cores themselves: one replica,
 * all cores as its threads (measured against two replicas of one thread each: README, Benchmarks). wasm and cpu are
 * single-threaded, so one replica per core (up to WORKER_CAP) is how a run uses the machine. `cores` defaults to
 * os.availableParallelism().
 */
export function defaultWorkers(backend: BackendName, cores = availableParallelism()): number {
  return threadsItself(backend) ? 1 : Math.min(WORKER_CAP, Math.max(1, cores));
}

function threadsItself(backend: BackendName): boolean {
  return backend === 'native' || backend === 'tensorflow';
}

/**
 * Threads each replica's native kernels use: one budget per process, the cores shared out between the replicas
 * (two replicas on two cores: one thread each), so replicas and kernel threads never oversubscribe the machine.
 */
export function nativeThreadsPer(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const plan = planModel(opts.layers);
  if (!Number.isInteger(opts.seed)) throw badInput('The seed must be an integer');
  const optimizer = new Optimizer(opts.optimizer, plan);
  const { name, note } = await resolveBackend(opts.backend);
  const budget = opts.threads ?? availableParallelism();
  if (!Number.isInteger(budget) || budget < 1 || budget > 256) throw badInput('threads must be an integer from 1 to 256');
  const count = opts.workers ?? defaultWorkers(name, budget);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw badInput('workers must be an integer from 1 to 64');
  await useBackend(name);
  const perReplica = nativeThreadsPer(count, budget);
  const kernels = name === 'native' ? { ...nativeInfo(), threads: perReplica } : null;
  if (kernels) setNativeThreads(kernels.threads);

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
      EngineWorker.start({ layers: opts.layers, seed: opts.seed, backend: name, weights: shared, size: plan.size, exchange: exchange.layout, threads: perReplica })))
    : [];
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    local.dispose();
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason;
  }
  return new TfEngine({ plan, layers: opts.layers, seed: opts.seed, bnStats: opts.batchNormStats ?? 'keras', backend: name, backendNote: note, kernels, weights, optimizer, local, workers, exchange });
}
