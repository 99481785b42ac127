// The run queue and the supervision of trainer processes: one process per running run, up to `concurrency` at
// once. Trainer events become database rows (each completed epoch with its checkpoint in one transaction) and
// workbench events. A crashed trainer fails its run with the reason; the next run gets a fresh process.

import type { Db } from '../db/open.js';
import type { WorkbenchEvent } from '../../shared/events.js';
import { WorkbenchError, type ErrorData } from '../../shared/errors.js';
import type { RunStatus } from '../../shared/runs.js';
import type { BackendChoice, TrainerEvent } from '../../shared/trainer-protocol.js';
import type { Hyperparams } from '../../shared/hyperparams.js';
import { createLogger } from '../logger.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import * as runs from './runs-repo.js';
import { splitIndices } from './split.js';
import type { TrainerHandle, TrainerSpawner } from './trainer-process.js';
import { FORCED_NOTE_START, forcedResumeNote, trainedWith, type TrainedWith } from './resume-conditions.js';
import { appendRunLog } from './run-log.js';
import { captureTrainerOutput } from './trainer-output.js';
import { runLineage } from '../lineage.js';
import type { Level } from '../logger.js';

const log = createLogger('runs');
const STOP_POLL_MS = 200;
const TERMINAL: RunStatus[] = ['completed', 'stopped', 'failed', 'interrupted'];

export interface RunManagerOptions {
  db: Db;
  spawn: TrainerSpawner;
  emit: (event: WorkbenchEvent) => void;
  concurrency: () => number;
  backend: () => BackendChoice | null;
  workers?: () => number | null;
  /** A handle for a run on the worker pool (queue it, or adopt the job `attachTo` an owner before us left). */
  spawnPool?: (runId: number, attachTo?: string) => TrainerHandle;
}

interface Active {
  runId: number;
  trainer: TrainerHandle;
  ended: boolean;
  epoch: number;
  /** Set when a forced resume may train on other conditions than the run's first epochs. */
  forcedFrom: TrainedWith | null;
  /** A note from an earlier forced resume: later resumes keep it, it stays true of the run. */
  forcedNote: string | null;
}

export class RunManager {
  readonly #opts: RunManagerOptions;
  readonly #active = new Map<number, Active>();
  readonly #waiters = new Map<number, ((status: RunStatus) => void)[]>();
  /** Queued resumes the user forced onto this machine's backend and worker count (see resume-conditions.ts). */
  readonly #forced = new Set<number>();
  #poller: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: RunManagerOptions) {
    this.#opts = opts;
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** Starts queued runs this process owns while there is room; pool runs go to the pool at once (it has its own). */
  pump(): void {
    if (this.#closed) return;
    for (const id of runs.queuedRunsOwned(this.#opts.db, 'pool')) if (!this.#active.has(id)) this.#launch(id);
    for (const id of runs.queuedRunsOwned(this.#opts.db)) {
      if (this.#localCount() >= Math.max(1, this.#opts.concurrency())) break;
      if (!this.#active.has(id)) this.#launch(id);
    }
  }

  /** A queued resume: pinned to the run's recorded backend and workers, or, when forced, to this process's choice. */
  queueResume(runId: number, opts: { force: boolean }): void {
    if (opts.force) this.#forced.add(runId);
    else this.#forced.delete(runId);
  }

  #localCount(): number {
    return [...this.#active.values()].filter((a) => !a.trainer.detach).length;
  }

  /** The handle training a run here, if any (pool handles tell when their job is queued). */
  handleOf(runId: number): TrainerHandle | undefined {
    return this.#active.get(runId)?.trainer;
  }

  /** Takes over a pool run whose owner died: its events are committed here from now on. */
  adopt(runId: number, jobId: string): void {
    if (this.#closed || this.#active.has(runId) || !this.#opts.spawnPool) return;
    this.#track(runId, this.#opts.spawnPool(runId, jobId), runs.epochsOf(this.#opts.db, runId).length);
    this.#opts.emit({ type: 'run:status', runId, status: 'running', error: null });
  }

  /** Resolves with the run's status once it is completed, stopped, failed or interrupted. */
  waitFor(runId: number): Promise<RunStatus> {
    const status = runs.getRun(this.#opts.db, runId).status;
    if (TERMINAL.includes(status)) return Promise.resolve(status);
    return new Promise((resolve) => this.#waiters.set(runId, [...(this.#waiters.get(runId) ?? []), resolve]));
  }

  #setStatus(runId: number, status: Exclude<RunStatus, 'queued' | 'running'>, error: string | null): void {
    try {
      runs.finishRun(this.#opts.db, runId, status, error);
    } catch (err) {
      // A full or closed database must not crash the process from inside a trainer event; whoever opens the
      // store next finds the run without a live owner and marks it interrupted.
      log.error(`run ${runId}: cannot record status ${status}: ${(err as Error).message}`, err as Error);
    }
    this.#runLog(runId, status === 'failed' ? 'error' : status === 'interrupted' ? 'warn' : 'info', `run ${status}${error ? `: ${error}` : ''}`);
    this.#opts.emit({ type: 'run:status', runId, status, error });
    for (const resolve of this.#waiters.get(runId) ?? []) resolve(status);
    this.#waiters.delete(runId);
  }

  #launch(runId: number): void {
    const db = this.#opts.db;
    const detail = runs.getRunDetail(db, runId);
    let request;
    let pinned: TrainedWith | null = null;
    let forcedFrom: TrainedWith | null = null;
    try {
      const data = loadDatasetArrays(db, detail.datasetId);
      if (!data.labels) throw new WorkbenchError('bad-input', `dataset ${detail.datasetId} has no labels: train on a train.csv`);
      const hp: Hyperparams = detail.hyperparams;
      const split = splitIndices(data.labels, { ...hp.validation, seed: hp.seed });
      const last = runs.loadCheckpoint(db, runId, 'last');
      runs.trimAfter(db, runId, last?.epoch ?? 0);
      const was = last ? trainedWith({ ...detail, epochsDone: last.epoch }) : null;
      const forced = this.#forced.delete(runId);
      // A resume keeps the conditions its epochs were trained under, so it ends as if it had never stopped.
      pinned = was && !forced ? was : null;
      forcedFrom = was && forced ? was : null;
      request = {
        type: 'train' as const,
        runId,
        hyperparams: hp,
        pixels: data.pixels,
        labels: data.labels,
        trainIndices: split.train,
        valIndices: split.val,
        resume: last ? { last, best: runs.loadCheckpoint(db, runId, 'best') } : null,
        backend: pinned ? pinned.backend : this.#opts.backend(),
        workers: pinned ? pinned.workers : (this.#opts.workers?.() ?? null),
      };
    } catch (err) {
      if (!(err instanceof WorkbenchError) || err.code === 'internal') log.error(`run ${runId}: cannot prepare its training`, err as Error);
      this.#setStatus(runId, 'failed', (err as Error).message);
      return;
    }
    if (detail.target === 'pool' && !this.#opts.spawnPool) {
      this.#setStatus(runId, 'failed', 'no worker pool is set up: add its Redis URL in Settings → Workers (or train with --queue URL)');
      return;
    }
    runs.markRunning(db, runId);
    this.#opts.emit({ type: 'run:status', runId, status: 'running', error: null });
    const trainer = detail.target === 'pool' ? this.#opts.spawnPool!(runId) : this.#opts.spawn();
    const forcedNote = request.resume && detail.backendNote?.startsWith(FORCED_NOTE_START) ? detail.backendNote : null;
    this.#track(runId, trainer, request.resume?.last.epoch ?? 0, { forcedFrom, forcedNote });
    this.#runLog(runId, 'info', `trainer ${trainer.pid ?? '?'} ${request.resume ? `resumes from epoch ${request.resume.last.epoch}` : 'starts'}`);
    trainer.send(request);
  }

  #track(runId: number, trainer: TrainerHandle, epoch: number, forced: Pick<Active, 'forcedFrom' | 'forcedNote'> = { forcedFrom: null, forcedNote: null }): void {
    const active: Active = { runId, trainer, ended: false, epoch, ...forced };
    this.#active.set(runId, active);
    captureTrainerOutput(trainer, { runId, onLine: (level, text) => this.#runLog(runId, level, `[trainer ${trainer.pid ?? '?'}] ${text}`, false) });
    trainer.onEvent((event) => this.#onEvent(active, event));
    trainer.onExit((reason) => this.#onExit(active, reason));
    this.#ensurePoller();
  }

  #onEvent(active: Active, event: TrainerEvent): void {
    const db = this.#opts.db;
    const { runId } = active;
    try {
      switch (event.type) {
        case 'started': {
          const was = active.forcedFrom;
          const changed = was && (was.backend !== event.backend || was.workers !== event.workers || (was.isa !== null && was.isa !== (event.kernels?.isa ?? null)));
          const note = changed ? [forcedResumeNote(was, event.resumedFrom, event), event.backendNote].filter(Boolean).join('; ') : (active.forcedNote ?? event.backendNote);
          runs.recordStarted(db, runId, { backend: event.backend, backendNote: note, workers: event.workers, summary: event.summary });
          runs.recordLineage(db, runId, runLineage({ datasetSha256: runs.getRunDetail(db, runId).datasetSha256, backend: event.backend, workers: event.workers, kernels: event.kernels }));
          // After both records: a run's page reads its detail (workers, lineage) again on this event.
          this.#opts.emit({ type: 'run:started', runId, backend: event.backend, backendNote: note });
          const kernels = event.kernels ? `, ${event.kernels.library} ${event.kernels.version} ${event.kernels.isa} × ${event.kernels.threads} thread${event.kernels.threads === 1 ? '' : 's'}` : '';
          this.#runLog(runId, 'info', `training on ${event.backend}${kernels} with ${event.workers} worker${event.workers === 1 ? '' : 's'}${event.backendNote ? ` (${event.backendNote})` : ''}`);
          break;
        }
        case 'progress':
          this.#opts.emit({ type: 'run:progress', progress: event.progress });
          break;
        case 'epoch':
          active.epoch = event.metrics.epoch;
          break;
        case 'checkpoint':
          runs.persistCheckpoint(db, runId, event.metrics, event.slots, event.checkpoint, event.worker ?? null);
          if (event.metrics) this.#opts.emit({ type: 'run:epoch', runId, metrics: event.metrics });
          break;
        case 'result':
          runs.persistValPredictions(db, runId, event.epoch, event.indices, event.probs);
          break;
        case 'done':
          this.#end(active, event.outcome, null);
          break;
        case 'error':
          this.#end(active, 'failed', errorText(event.error));
          break;
        case 'log':
          log[event.level](`[trainer ${active.trainer.pid ?? '?'} run ${runId}] ${event.message}`, { runId });
          this.#runLog(runId, event.level, `[trainer ${active.trainer.pid ?? '?'}] ${event.message}`, false);
          this.#opts.emit({ type: 'run:log', runId, level: event.level, message: event.message });
          break;
        default:
          break;
      }
    } catch (err) {
      const what = event.type === 'checkpoint' && event.metrics ? `epoch ${event.metrics.epoch} and its checkpoint` : event.type;
      log.error(`run ${runId}: cannot record ${what}: ${(err as Error).message}`, err as Error);
      this.#end(active, 'failed', `could not record ${what}: ${storeErrorText(err)}`);
    }
  }

  /** The run's own log (runs:log) and, unless the line came from there already, the process's log file. */
  #runLog(runId: number, level: Level, message: string, toFile = true): void {
    // Files only: the run's status and failures reach the user through the UI and the CLI already.
    if (toFile) log[level](`run ${runId}: ${message}`, { runId, stderr: false });
    // A store that cannot take the line must not fail the run.
    try {
      appendRunLog(this.#opts.db, runId, level, message);
    } catch (err) {
      log.warn(`run ${runId}: cannot add to its log: ${(err as Error).message}`);
    }
  }

  #onExit(active: Active, reason: string): void {
    if (active.ended) return;
    log.warn(`[trainer ${active.trainer.pid ?? '?'} run ${active.runId}] ${reason}`, { runId: active.runId, stderr: false });
    this.#end(active, 'failed', `${reason} during epoch ${active.epoch + 1}`);
  }

  #end(active: Active, status: 'completed' | 'stopped' | 'failed', error: string | null): void {
    if (active.ended) return;
    active.ended = true;
    this.#active.delete(active.runId);
    active.trainer.kill();
    this.#setStatus(active.runId, status, error);
    if (this.#active.size === 0 && this.#poller) {
      clearInterval(this.#poller);
      this.#poller = undefined;
    }
    queueMicrotask(() => this.pump());
  }

  /** A stop set in this process reaches its trainer at once; the poller below covers stops set elsewhere. */
  forwardStop(runId: number): void {
    const active = this.#active.get(runId);
    if (active && !active.ended) active.trainer.send({ type: 'stop', runId });
  }

  /** Stop is a flag in the database so any process can set it; the owner forwards it to its trainer. */
  #ensurePoller(): void {
    if (this.#poller) return;
    this.#poller = setInterval(() => {
      for (const active of this.#active.values()) {
        if (runs.stopRequested(this.#opts.db, active.runId)) active.trainer.send({ type: 'stop', runId: active.runId });
      }
    }, STOP_POLL_MS);
    this.#poller.unref();
  }

  /** Kills every trainer this process owns; their runs become interrupted (resumable). Pool runs train on. */
  close(): void {
    this.#closed = true;
    if (this.#poller) clearInterval(this.#poller);
    for (const active of this.#active.values()) {
      active.ended = true;
      if (active.trainer.detach) {
        active.trainer.detach();
        continue;
      }
      active.trainer.kill();
      this.#setStatus(active.runId, 'interrupted', 'the app closed while it was training');
    }
    this.#active.clear();
  }
}

/** SQLite's "database or disk is full" says neither which nor what to do. */
function storeErrorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL') return 'the database is full (the disk is full or the database reached its size limit); free some space, then resume the run';
  return (err as Error).message;
}

function errorText(error: ErrorData): string {
  return error.message;
}
