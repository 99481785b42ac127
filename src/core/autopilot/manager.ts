// Autopilot jobs in this process: previews a plan, starts a job, resumes one a stop or a crash left, stops one, and
// tells when one is over. The process that started or resumed a job owns it (its driver runs here); stop is a flag
// in the database, so any process can stop it.

import { badInput, conflict } from '../../shared/errors.js';
import type { AutopilotJobInfo, AutopilotPlan, Throughput } from '../../shared/autopilot.js';
import type { RunTarget } from '../../shared/runs.js';
import { getDataset } from '../datasets/repo.js';
import { checkTarget } from '../fs-atomic.js';
import type { WorkbenchContext } from '../handlers.js';
import { assertPreviousSubmission, checkOutPath } from '../inference/submissions.js';
import { measure } from './calibrate.js';
import { backendHere, JobDriver, rowsOf } from './drive.js';
import * as repo from './jobs-repo.js';
import { plan as makePlan } from './planner.js';
import { createLogger } from '../logger.js';

const log = createLogger('autopilot');

export interface AutopilotArgs {
  datasetId: number;
  testDatasetId: number;
  budgetSeconds: number;
  target?: RunTarget;
}

export class AutopilotManager {
  readonly #wb: WorkbenchContext;
  readonly #drivers = new Map<number, { driver: JobDriver; done: Promise<void> }>();
  /** Calibrations measured in this process (a previewed plan is started without measuring again). */
  readonly #cache = new Map<string, Throughput>();

  constructor(wb: WorkbenchContext) {
    this.#wb = wb;
    repo.reconcileJobs(wb.db);
  }

  #check(args: AutopilotArgs): void {
    const train = getDataset(this.#wb.db, args.datasetId);
    const test = getDataset(this.#wb.db, args.testDatasetId);
    if (train.kind !== 'train') throw badInput(`dataset: ${train.id} "${train.name}" is a test set (no labels): autopilot trains on a train.csv`);
    if (test.kind !== 'test') throw badInput(`test: ${test.id} "${test.name}" is labelled (a train set): the submission predicts an unlabelled test.csv`);
  }

  /** The plan a job would follow, with its reasons (calibrating presets this machine has no figures for). */
  async plan(args: AutopilotArgs): Promise<AutopilotPlan> {
    this.#check(args);
    const target = args.target ?? 'local';
    const rows = rowsOf(this.#wb, args.datasetId, args.testDatasetId);
    const backend = await backendHere(this.#wb);
    const slots = target === 'pool' ? await this.#wb.pool.trainingSlots() : 1;
    const input = { budgetSeconds: args.budgetSeconds, spentSeconds: 0, ...rows, slots, backend: target === 'pool' ? 'the worker pool' : backend };
    const throughput = await measure(this.#wb, { datasetId: args.datasetId, target, backend, rows, input, cached: this.#cache, tags: ['autopilot', 'calibration'], cancelled: () => false });
    return makePlan({ ...input, throughput });
  }

  /** Starts a job in this process; `out` (CLI only) is where the submission goes, else the data folder's exports/. */
  start(args: AutopilotArgs & { out?: string; force?: boolean }): AutopilotJobInfo {
    this.#check(args);
    if (args.out !== undefined) {
      // Refused now, not after the whole budget was spent training.
      checkTarget(checkOutPath(args.out), { force: args.force, ours: assertPreviousSubmission(this.#wb.db) });
    }
    const id = repo.createJob(this.#wb.db, { ...args, target: args.target ?? 'local', out: args.out ?? null, force: args.force === true });
    this.#drive(id);
    return repo.getJob(this.#wb.db, id);
  }

  resume(id: number): AutopilotJobInfo {
    const job = repo.getJob(this.#wb.db, id);
    if (job.status === 'completed') throw conflict(`autopilot ${id} is completed: its submission is written`);
    if (job.status === 'running') throw conflict(`autopilot ${id} is running already${this.#drivers.has(id) ? '' : ' in another process (stop it there first)'}`);
    if (job.elapsedSeconds >= job.budgetSeconds && job.stage !== 'predicting' && job.stage !== 'selecting') {
      throw conflict(`autopilot ${id} has spent its budget (${Math.round(job.elapsedSeconds)} of ${job.budgetSeconds} s)`);
    }
    repo.claim(this.#wb.db, id);
    this.#drive(id);
    return repo.getJob(this.#wb.db, id);
  }

  stop(id: number): AutopilotJobInfo {
    const job = repo.getJob(this.#wb.db, id);
    if (job.status !== 'running') return job;
    repo.requestStop(this.#wb.db, id);
    this.#drivers.get(id)?.driver.stop();
    this.#wb.emit({ type: 'autopilot:changed', jobId: id });
    return repo.getJob(this.#wb.db, id);
  }

  /** The job as it stands (read from the store). */
  current(id: number): AutopilotJobInfo {
    return repo.getJob(this.#wb.db, id);
  }

  /** Resolves with the job once its driver in this process is over (at once when none runs here). */
  async waitFor(id: number): Promise<AutopilotJobInfo> {
    await this.#drivers.get(id)?.done;
    return repo.getJob(this.#wb.db, id);
  }

  #drive(id: number): void {
    const driver = new JobDriver(this.#wb, id, this.#cache);
    const done = driver
      .run()
      .catch((err: unknown) => log.error(`autopilot ${id}: its driver failed`, err as Error))
      .finally(() => this.#drivers.delete(id));
    this.#drivers.set(id, { driver, done });
    this.#wb.emit({ type: 'autopilot:changed', jobId: id });
  }

  /** The process is closing: its jobs become interrupted (their runs are by the run manager). */
  close(): void {
    for (const [id, { driver }] of this.#drivers) {
      driver.close();
      if (repo.getJob(this.#wb.db, id).status === 'running') repo.finish(this.#wb.db, id, 'interrupted', 'the app closed while it was working');
    }
    this.#drivers.clear();
  }
}
