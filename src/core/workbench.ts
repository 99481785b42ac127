// The Workbench facade: every transport (Electron IPC, serve mode, CLI) calls the core through it.

import { EventEmitter } from 'node:events';
import type { ArgsOf, MethodName, ResultOf } from '../shared/contract.js';
import { parseArgs } from '../shared/contract.js';
import type { WorkbenchEvent, WorkbenchEventListener } from '../shared/events.js';
import { openDatabase, type Db } from './db/open.js';
import { resolveHome } from './home.js';
import { importCsv, type ImportOptions } from './datasets/import.js';
import { installSample } from './datasets/sample.js';
import * as datasets from './datasets/repo.js';
import { loadDigit } from './datasets/repo.js';
import { appVersion } from './version.js';
import type { ImportResult } from '../shared/types.js';
import { presets } from './training/presets.js';
import { RunManager } from './training/run-manager.js';
import * as runs from './training/runs-repo.js';
import { previewRun, queueRuns } from './training/start.js';
import { resumeRefusal, trainedWith } from './training/resume-conditions.js';
import type { RunStatus } from '../shared/runs.js';
import { nodeTrainerSpawner, type TrainerSpawner } from './training/trainer-process.js';
import { readSettings, writeSettings } from './settings.js';
import type { BackendAvailability, BackendChoice } from '../shared/trainer-protocol.js';
import { TrainerClient } from './inference/trainer-client.js';
import { exportModel, requireCheckpoint } from './inference/model-export.js';
import { exportOnnx } from './inference/onnx-export.js';
import { exportSubmission, listSubmissions, setKaggleScore } from './inference/submissions.js';
import { testSetWarnings } from './inference/data-shift.js';
import type { PredictContext } from './inference/predictions.js';
import { badInput, conflict } from '../shared/errors.js';
import { argmax } from '../shared/digits.js';
import { confusionReport, digitPage } from './analysis/errors.js';
import { compareRuns } from './analysis/compare.js';
import { diffRuns, ensembleValidation } from './analysis/diff.js';
import { augmentationPreview, explainDigit } from './analysis/explain.js';
import { PoolLink } from './pool/pool-link.js';
import { PoolRunHandle } from './pool/pool-handle.js';
import { claimOrphanedPoolRuns } from './pool/pool-runs.js';
import { logCallFailure } from './call-log.js';
import { readRunLog } from './training/run-log.js';
import { SweepManager } from './sweeps/sweep-manager.js';
import { planSweep } from './sweeps/plan.js';
import { sweepDetail } from './sweeps/detail.js';
import * as sweepsRepo from './sweeps/sweeps-repo.js';
import { createDatasetVersion, datasetVersionOf } from './datasets/versions.js';
import { findLearningRate } from './training/lr-find.js';
import { getLabelJob, labelIssues, listLabelJobs, startLabelJob } from './labels/label-job.js';
import { computeEmbedding, storedEmbedding } from './analysis/embedding.js';

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

const RESUMABLE: RunStatus[] = ['stopped', 'interrupted', 'failed'];

type Handlers = { [M in MethodName]: (args: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

export class Workbench {
  readonly home: string;
  readonly db: Db;
  readonly runs: RunManager;
  readonly sweeps: SweepManager;
  /** A trainer process for predictions, explanations and exports (never the caller's thread). */
  readonly inference: TrainerClient;
  /** The worker pool (BullMQ on Redis), connected on first use. */
  readonly pool: PoolLink;
  readonly #backend: BackendChoice | undefined;
  readonly #events = new EventEmitter();
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
      stopRun: (id) => void this.#handlers['runs:stop']({ id }),
      resumeRun: async (id) => this.#handlers['runs:resume']({ id }),
      // A pool sweep runs as many trials as its workers take; Redis unreachable for now: one, which waits queued.
      concurrency: (target) => (target === 'pool' ? this.pool.capacity().catch(() => 1) : readSettings(this.db).concurrency),
    });
    // Sweeps judge trials at rungs and propose the next one from run events, whichever transport started them.
    this.on((event) => this.sweeps.onEvent(event));
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
  #backendsForResume(): Promise<BackendAvailability[]> {
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

  readonly #handlers: Handlers = {
    'app:info': () => ({ version: appVersion(), home: this.home, platform: process.platform }),
    'datasets:list': () => datasets.listDatasets(this.db),
    'datasets:get': ({ id }) => ({ ...datasets.datasetDetail(this.db, id), version: datasetVersionOf(this.db, id) }),
    'datasets:import': (args) => this.importDataset(args),
    'datasets:rename': ({ id, name }) => {
      const renamed = datasets.renameDataset(this.db, id, name.trim());
      this.emit({ type: 'datasets:changed' });
      return renamed;
    },
    'datasets:delete': ({ id }) => {
      datasets.deleteDataset(this.db, id);
      this.emit({ type: 'datasets:changed' });
      return { id };
    },
    'datasets:images': (args) => datasets.datasetImages(this.db, args),
    'datasets:version': ({ id, relabels, excludes, name }) => {
      const result = createDatasetVersion(this.db, { parentId: id, relabels, excludes, name: name?.trim() });
      if (!result.existing) this.emit({ type: 'datasets:changed' });
      return result;
    },
    'labels:start': (args) => {
      const { key, runIds } = startLabelJob(this.db, args);
      for (const runId of runIds) this.emit({ type: 'run:status', runId, status: 'queued', error: null });
      this.runs.pump();
      return getLabelJob(this.db, key);
    },
    'labels:jobs': () => listLabelJobs(this.db),
    'labels:issues': ({ key }) => labelIssues(this.db, key),
    'presets:list': () => Object.values(presets),
    'runs:preview': ({ preset, hyperparams }) => ({ summary: previewRun(preset, hyperparams).summary }),
    'runs:start': (args) => {
      const ids = queueRuns(this.db, args);
      for (const runId of ids) this.emit({ type: 'run:status', runId, status: 'queued', error: null });
      this.runs.pump();
      return ids.map((id) => runs.getRun(this.db, id));
    },
    'runs:lr-find': (args) => findLearningRate(this.predictContext, args),
    'runs:list': (q) => runs.listRuns(this.db, q ?? {}),
    'runs:get': ({ id }) => runs.getRunDetail(this.db, id),
    'runs:stop': ({ id }) => {
      const status = runs.requestStop(this.db, id);
      if (status === 'stopped') this.emit({ type: 'run:status', runId: id, status, error: null });
      else this.runs.forwardStop(id);
      return runs.getRun(this.db, id);
    },
    'runs:resume': async ({ id, force }) => {
      const run = runs.getRunDetail(this.db, id);
      if (!force && trainedWith(run) && RESUMABLE.includes(run.status)) {
        const refusal = resumeRefusal(run, await this.#backendsForResume());
        if (refusal) throw conflict(refusal, { backend: run.backend, workers: run.workers });
      }
      runs.requeue(this.db, id);
      this.runs.queueResume(id, { force: force === true });
      this.emit({ type: 'run:status', runId: id, status: 'queued', error: null });
      this.runs.pump();
      return runs.getRun(this.db, id);
    },
    'runs:delete': ({ id }) => {
      runs.deleteRun(this.db, id);
      this.emit({ type: 'run:changed', runId: id, deleted: true });
      return { id };
    },
    'runs:log': ({ id, offset }) => readRunLog(this.db, id, offset ?? 0),
    'runs:update': ({ id, notes, tags }) => {
      runs.updateRunMeta(this.db, id, { notes, tags });
      this.emit({ type: 'run:changed', runId: id, deleted: false });
      return runs.getRun(this.db, id);
    },
    'runs:export-model': ({ id, out, weights, format, force }) =>
      format === 'onnx'
        ? exportOnnx(this.db, { runId: id, out, weights: weights ?? 'best', force })
        : exportModel(this.db, this.inference, { runId: id, out, weights: weights ?? 'best', force, backend: this.backendChoice() }),
    'submissions:export': async ({ runIds, datasetId, weights, tta, out, force }) => {
      const result = await exportSubmission(this.predictContext, {
        runIds,
        datasetId,
        weights: weights ?? 'best',
        tta: tta ?? false,
        out,
        force,
        onProgress: (done, total) => this.emit({ type: 'predict:progress', done, total }),
      });
      this.emit({ type: 'submissions:changed' });
      return result;
    },
    'submissions:check': ({ runIds, datasetId }) => ({ warnings: testSetWarnings(this.db, runIds, datasetId) }),
    'submissions:list': () => listSubmissions(this.db),
    'submissions:score': ({ id, score }) => {
      const result = setKaggleScore(this.db, id, score);
      this.emit({ type: 'submissions:changed' });
      return result;
    },
    'predict:image': ({ runId, weights, pixels }) => this.predictImage(runId, weights ?? 'best', new Uint8Array(Buffer.from(pixels, 'base64'))),
    'analysis:confusion': ({ id }) => confusionReport(this.db, id),
    'analysis:digits': ({ id, ...q }) => digitPage(this.db, { runId: id, ...q }),
    'analysis:diff': ({ runA, runB }) => diffRuns(this.db, runA, runB),
    'analysis:compare': ({ runIds }) => compareRuns(this.db, runIds),
    'analysis:ensemble': ({ runIds }) => ensembleValidation(this.db, runIds),
    'analysis:explain': ({ runId, weights, datasetId, idx, pixels, cls }) => {
      let image: Uint8Array;
      if (pixels !== undefined) image = new Uint8Array(Buffer.from(pixels, 'base64'));
      else if (idx !== undefined) image = loadDigit(this.db, datasetId ?? runs.getRun(this.db, runId).datasetId, idx);
      else throw badInput('give either pixels or idx (with datasetId, default: the run’s dataset)');
      if (image.length !== 784) throw badInput(`pixels: must be 784 bytes (28×28), got ${image.length}`);
      return explainDigit(this.predictContext, { runId, weights: weights ?? 'best', pixels: image, cls: cls ?? null });
    },
    'analysis:augment': ({ runId, datasetId, idx, count, seed }) => ({
      images: augmentationPreview(this.db, { runId, pixels: loadDigit(this.db, datasetId, idx), count: count ?? 16, seed: seed ?? 1 }),
    }),
    'embedding:get': ({ id, neighbors, seed }) => storedEmbedding(this.db, { runId: id, neighbors, seed }),
    'embedding:compute': ({ id, neighbors, seed }) =>
      computeEmbedding(this.predictContext, {
        runId: id,
        neighbors,
        seed,
        onProgress: (stage, done, total) => this.emit({ type: 'embedding:progress', runId: id, stage, done, total }),
      }),
    // Answered by the Electron main process before the core sees them; anywhere else they cannot work.
    'desktop:open-file': () => {
      throw conflict('file dialogs are part of the desktop app: in the browser, pick or drop the file to upload it');
    },
    'desktop:save-file': () => {
      throw conflict('save dialogs are part of the desktop app: in the browser the file is downloaded');
    },
    'workers:status': () => this.pool.status(),
    'workers:url': () => ({ url: this.pool.maskedUrl() }),
    'workers:set-url': async ({ url }) => {
      await this.pool.setUrl(url);
      this.emit({ type: 'settings:changed' });
      return { url: this.pool.maskedUrl() };
    },
    'workers:clear-url': async () => {
      await this.pool.setUrl(null);
      this.emit({ type: 'settings:changed' });
      return { url: null };
    },
    'desktop:open-logs': () => {
      throw conflict('the logs folder opens in the desktop app: in the browser, Settings › Download log saves it');
    },
    'sweeps:start': async (args) => {
      const spec = planSweep(this.db, args);
      // A pool sweep fails here, once, rather than in each trial: no URL, or Redis unreachable.
      if (spec.target === 'pool') await this.pool.owner();
      const id = sweepsRepo.createSweep(this.db, spec);
      try {
        await this.sweeps.fill(id);
      } catch (err) {
        // The first trial could not be queued (e.g. a validation split that leaves nothing): no empty sweep stays.
        this.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
        throw err;
      }
      return sweepsRepo.sweepInfo(this.db, id);
    },
    'sweeps:list': () => sweepsRepo.listSweeps(this.db),
    'sweeps:get': ({ id }) => sweepDetail(this.db, id),
    'sweeps:stop': ({ id }) => this.sweeps.stop(id),
    'sweeps:resume': ({ id }) => this.sweeps.resume(id),
    'settings:get': () => ({ ...readSettings(this.db), home: this.home }),
    'settings:backends': async () => (await this.inference.request({ type: 'backends' }, 'backends')).backends,
    'settings:set': (changes) => {
      const saved = writeSettings(this.db, changes);
      this.emit({ type: 'settings:changed' });
      if (changes.concurrency !== undefined) this.runs.pump();
      return { ...saved, home: this.home };
    },
  };

  close(): void {
    this.sweeps.close();
    this.runs.close();
    this.pool.close();
    this.inference.close();
    this.#events.removeAllListeners();
    this.db.close();
  }
}
