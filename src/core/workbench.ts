// The Workbench facade: every transport (Electron IPC, serve mode, CLI) calls the core through it.

import { EventEmitter } from 'node:events';
import type { ArgsOf, MethodName, ResultOf } from '../shared/contract.js';
import { parseArgs } from '../shared/contract.js';
import type { WorkbenchEvent, WorkbenchEventListener } from '../shared/events.js';
import type { ImportResult } from '../shared/types.js';
import type { BackendAvailability, BackendChoice } from '../shared/trainer-protocol.js';
import { badInput } from '../shared/errors.js';
import { argmax } from '../shared/digits.js';
import { openDatabase, type Db } from './db/open.js';
import { resolveHome } from './home.js';
import { importCsv, type ImportOptions } from './datasets/import.js';
import { installSample } from './datasets/sample.js';
import { RunManager } from './training/run-manager.js';
import * as runs from './training/runs-repo.js';
import { queueRuns } from './training/start.js';
import { nodeTrainerSpawner, type TrainerSpawner } from './training/trainer-process.js';
import { readSettings } from './settings.js';
import { TrainerClient } from './inference/trainer-client.js';
import { requireCheckpoint } from './inference/model-export.js';
import type { PredictContext } from './inference/predictions.js';
import { PoolLink } from './pool/pool-link.js';
import { PoolRunHandle } from './pool/pool-handle.js';
import { claimOrphanedPoolRuns } from './pool/pool-runs.js';
import { logCallFailure } from './call-log.js';
import { SweepManager } from './sweeps/sweep-manager.js';
import * as sweepsRepo from './sweeps/sweeps-repo.js';
import { combine, type Handlers, type WorkbenchContext } from './handlers.js';
import { appHandlers } from './app-handlers.js';
import { datasetHandlers } from './datasets/handlers.js';
import { labelHandlers } from './labels/handlers.js';
import { trainingHandlers } from './training/handlers.js';
import { inferenceHandlers } from './inference/handlers.js';
import { analysisHandlers } from './analysis/handlers.js';
import { poolHandlers } from './pool/handlers.js';
import { sweepHandlers } from './sweeps/handlers.js';
import { settingsHandlers } from './settings-handlers.js';
import { autopilotHandlers } from './autopilot/handlers.js';
import { AutopilotManager } from './autopilot/manager.js';

export interface WorkbenchOptions {
  home?: string;
  /** Skip installing the bundled sample (tests of an empty store). */
  sample?: boolean;
  /** How trainer processes start: Electron passes utilityProcess.fork; default Node's child_process.fork. */
  spawnTrainer?: TrainerSpawner;
  /** Data-parallel workers per run (default: the engine's choice). */
  workers?: number;
  /** Forces a backend for the runs this instance trains, over the saved setting (the CLI's --backend). */
  backend?: BackendChoice;
  /** The worker pool's Redis URL for this process only, over the saved one (the CLI's --queue). */
  poolUrl?: string;
}

export class Workbench implements WorkbenchContext {
  readonly home: string;
  readonly db: Db;
  readonly runs: RunManager;
  readonly sweeps: SweepManager;
  /** A trainer process for predictions, explanations and exports (never the caller's thread). */
  readonly inference: TrainerClient;
  /** The worker pool (BullMQ on Redis), connected on first use. */
  readonly pool: PoolLink;
  /** Autopilot jobs driven by this process. */
  readonly autopilot: AutopilotManager;
  readonly #backend: BackendChoice | undefined;
  readonly #events = new EventEmitter();
  /** Every contract method's handler, each domain's beside its code (see handlers.ts). */
  readonly #handlers: Handlers;
  #backendsHere: Promise<BackendAvailability[]> | undefined;

  constructor(opts: WorkbenchOptions = {}) {
    this.home = resolveHome(opts.home);
    this.db = openDatabase(this.home);
    this.#events.setMaxListeners(100);
    if (opts.sample !== false) installSample(this.db);
    runs.reconcileInterrupted(this.db);
    this.#backend = opts.backend;
    this.inference = new TrainerClient(opts.spawnTrainer ?? nodeTrainerSpawner);
    this.pool = new PoolLink(this.db, opts.poolUrl);
    this.runs = new RunManager({
      db: this.db,
      spawn: opts.spawnTrainer ?? nodeTrainerSpawner,
      emit: (event) => this.emit(event),
      concurrency: () => readSettings(this.db).concurrency,
      backend: () => this.backendChoice(),
      workers: () => opts.workers ?? null,
      spawnPool: (runId, attachTo) =>
        new PoolRunHandle({ runId, owner: () => this.pool.owner(), backend: this.backendChoice(), threads: opts.workers ?? null, attachTo }),
    });
    sweepsRepo.reconcileSweeps(this.db);
    this.sweeps = new SweepManager({
      db: this.db,
      emit: (event) => this.emit(event),
      queueRun: (args) => {
        const [id] = queueRuns(this.db, args);
        this.emit({ type: 'run:status', runId: id, status: 'queued', error: null });
        queueMicrotask(() => this.runs.pump());
        return id;
      },
      stopRun: (id) => void this.handle('runs:stop', { id }),
      resumeRun: async (id) => this.handle('runs:resume', { id }),
      // A pool sweep runs as many trials as its workers take; Redis unreachable for now: one, which waits queued.
      concurrency: (target) => (target === 'pool' ? this.pool.capacity().catch(() => 1) : readSettings(this.db).concurrency),
    });
    // Sweeps judge trials at rungs and propose the next one from run events, whichever transport started them.
    this.on((event) => this.sweeps.onEvent(event));
    this.autopilot = new AutopilotManager(this);
    this.#handlers = combine(
      appHandlers(this),
      datasetHandlers(this),
      labelHandlers(this),
      trainingHandlers(this),
      inferenceHandlers(this),
      analysisHandlers(this),
      poolHandlers(this),
      sweepHandlers(this),
      settingsHandlers(this),
      autopilotHandlers(this),
    );
  }

  /**
   * Commits the events of pool runs whose owner process died (they trained on meanwhile; their events waited in
   * Redis). Long-lived processes call it at start (app, serve); the CLI when it follows a run. Returns their ids.
   */
  adoptPoolRuns(): number[] {
    if (this.pool.url() === null) return [];
    const claimed = claimOrphanedPoolRuns(this.db, (id) => this.runs.handleOf(id) !== undefined);
    for (const { id, jobId } of claimed) this.runs.adopt(id, jobId);
    return claimed.map((c) => c.id);
  }

  on(listener: WorkbenchEventListener): () => void {
    this.#events.on('event', listener);
    return () => this.#events.off('event', listener);
  }

  emit(event: WorkbenchEvent): void {
    this.#events.emit('event', event);
  }

  /** The forced backend (CLI --backend), else the saved setting; null = automatic. */
  backendChoice(): BackendChoice | null {
    const b = this.#backend ?? readSettings(this.db).backend;
    return b === 'auto' ? null : b;
  }

  /**
   * Which backends load here, asked of a trainer process (it loads them exactly as a run's trainer will) once per
   * Workbench: what loads does not change while the app runs, and resuming stays quick.
   */
  backendsHere(): Promise<BackendAvailability[]> {
    if (!this.#backendsHere) {
      const asked = this.inference.request({ type: 'backends' }, 'backends').then((r) => r.backends);
      this.#backendsHere = asked;
      asked.catch(() => {
        if (this.#backendsHere === asked) this.#backendsHere = undefined;
      });
    }
    return this.#backendsHere;
  }

  get predictContext(): PredictContext {
    return { db: this.db, client: this.inference, backend: this.backendChoice() };
  }

  async predictImage(runId: number, weights: 'best' | 'last', pixels: Uint8Array): Promise<{ probs: number[]; label: number }> {
    if (pixels.length !== 784) throw badInput(`pixels: must be 784 bytes (28×28), got ${pixels.length}`);
    const run = runs.getRunDetail(this.db, runId);
    const checkpoint = requireCheckpoint(this.db, runId, weights);
    const reply = await this.inference.request(
      { type: 'predict', model: run.hyperparams.model, checkpoint, pixels, tta: false, backend: this.backendChoice() },
      'predicted',
    );
    return { probs: Array.from(reply.probs), label: argmax(reply.probs) };
  }

  /** A contract call from outside the process: arguments are validated first. */
  async call<M extends MethodName>(name: M, args: unknown): Promise<ResultOf<M>> {
    try {
      const parsed = parseArgs(name, args);
      const handler = this.#handlers[name] as (a: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
      return await handler(parsed);
    } catch (err) {
      logCallFailure(name, err);
      throw err;
    }
  }

  /** A call from inside the core (another domain's handler): arguments are already typed. */
  handle<M extends MethodName>(name: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
    // Not async: a handler that throws at once still throws at once (the sweeps' stopRun relies on it).
    return Promise.resolve((this.#handlers[name] as (a: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>)(args));
  }

  async importDataset(opts: ImportOptions): Promise<ImportResult> {
    const result = await importCsv(this.db, {
      ...opts,
      onProgress: (bytesRead, totalBytes) => {
        opts.onProgress?.(bytesRead, totalBytes);
        this.emit({ type: 'import:progress', file: opts.displayName ?? opts.path, bytesRead, totalBytes });
      },
    });
    if (!result.existing) this.emit({ type: 'datasets:changed' });
    return result;
  }

  close(): void {
    this.autopilot.close();
    this.sweeps.close();
    this.runs.close();
    this.pool.close();
    this.inference.close();
    this.#events.removeAllListeners();
    this.db.close();
  }
}
