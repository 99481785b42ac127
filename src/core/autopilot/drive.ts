// Runs one autopilot job from where it stands to its submission: measure and plan, train the members in waves
// (each with a deadline; a member about to overrun is stopped and keeps its best epoch; later members get fewer
// epochs or are dropped), select the ensemble on validation, predict (dropping TTA or members if time is short)
// and export through the submissions ledger. Elapsed time is written every second, so a resume goes on from it.

import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { formatDuration, TTA_VIEWS, type AutopilotPlan, type Throughput } from '../../shared/autopilot.js';
import { WorkbenchError } from '../../shared/errors.js';
import type { RunStatus } from '../../shared/runs.js';
import { getDataset } from '../datasets/repo.js';
import type { WorkbenchContext } from '../handlers.js';
import { createLogger } from '../logger.js';
import * as runsRepo from '../training/runs-repo.js';
import { measure, type Rows } from './calibrate.js';
import { throughputOfRuns } from './throughput.js';
import { ensureValPredictions } from './val-predictions.js';
import { selectEnsemble, type Selection } from './ensemble.js';
import * as repo from './jobs-repo.js';
import { exportSeconds, marginSeconds, MAX_MEMBERS, plan as makePlan, POLICY, predictSeconds } from './planner.js';

const log = createLogger('autopilot');
const TICK_MS = 1000;
const TERMINAL: RunStatus[] = ['completed', 'stopped', 'failed', 'interrupted'];

class Stopped extends Error {}

/** The job's rows: its training split (as the presets' 10% validation cuts it), validation and test sets. */
export function rowsOf(wb: WorkbenchContext, datasetId: number, testDatasetId: number): Rows {
  const rows = getDataset(wb.db, datasetId).rows;
  const valRows = Math.round(rows * 0.1);
  return { trainRows: rows - valRows, valRows, testRows: getDataset(wb.db, testDatasetId).rows };
}

/** The backend a run started now trains on: the forced or saved one, else the first that loads (the automatic order). */
export async function backendHere(wb: WorkbenchContext): Promise<string> {
  const chosen = wb.backendChoice();
  if (chosen) return chosen;
  return (await wb.backendsHere()).find((b) => b.available)?.name ?? 'wasm';
}

export class JobDriver {
  readonly #wb: WorkbenchContext;
  readonly #id: number;
  readonly #cache: Map<string, Throughput>;
  readonly #started = Date.now();
  readonly #base: number;
  readonly #budget: number;
  /** Member runs training now (stopped at once when the job is stopped). */
  readonly #active = new Set<number>();
  #stopping = false;
  /** The process is closing: nothing more is written (the manager marked the job interrupted). */
  #closed = false;

  constructor(wb: WorkbenchContext, id: number, cache: Map<string, Throughput>) {
    this.#wb = wb;
    this.#id = id;
    this.#cache = cache;
    const job = repo.getJob(wb.db, id);
    this.#base = job.elapsedSeconds;
    this.#budget = job.budgetSeconds;
  }

  elapsed(): number {
    return this.#base + (Date.now() - this.#started) / 1000;
  }

  #changed(): void {
    this.#wb.emit({ type: 'autopilot:changed', jobId: this.#id });
  }

  #note(text: string): void {
    log.info(`autopilot ${this.#id}: ${text}`);
    repo.addNote(this.#wb.db, this.#id, text);
    this.#changed();
  }

  #tick(): void {
    if (this.#closed) return;
    const db = this.#wb.db;
    try {
      repo.update(db, this.#id, { elapsedSeconds: this.elapsed() });
      if (!this.#stopping && repo.stopRequested(db, this.#id)) this.stop();
    } catch (err) {
      log.warn(`autopilot ${this.#id}: cannot record its elapsed time: ${(err as Error).message}`);
    }
    this.#changed();
  }

  /** Stops the members training now; the job ends "stopped" once they have. */
  stop(): void {
    this.#stopping = true;
    for (const id of this.#active) void this.#wb.handle('runs:stop', { id }).catch(() => undefined);
  }

  /** The process closes: the driver winds down without touching the store; its runs are interrupted by their manager. */
  close(): void {
    this.#closed = true;
    this.#stopping = true;
  }

  #checkStop(): void {
    if (this.#stopping) throw new Stopped();
  }

  async run(): Promise<void> {
    const db = this.#wb.db;
    const ticker = setInterval(() => this.#tick(), TICK_MS);
    ticker.unref();
    try {
      let job = repo.getJob(db, this.#id);
      if (!job.plan) {
        repo.update(db, this.#id, { stage: 'calibrating' });
        const plan = await this.#plan();
        repo.update(db, this.#id, { plan, stage: 'training' });
        this.#changed();
      }
      job = repo.getJob(db, this.#id);
      if (job.stage === 'calibrating' || job.stage === 'training') {
        repo.update(db, this.#id, { stage: 'training' });
        await this.#train(job.plan!);
        this.#checkStop();
        repo.update(db, this.#id, { stage: 'selecting' });
      }
      this.#checkStop();
      // A member a crash interrupted (and no time was left to resume) has epochs but no validation predictions yet.
      for (const runId of repo.memberRunIds(db, this.#id)) await ensureValPredictions(this.#wb, runId);
      const selection = selectEnsemble(db, repo.memberRunIds(db, this.#id));
      if (!selection) throw new WorkbenchError('conflict', 'no member finished an epoch within the budget, so there is nothing to submit: give a longer budget');
      repo.update(db, this.#id, { stage: 'predicting', ensemble: selection.ensemble, valAcc: selection.valAcc });
      this.#changed();
      await this.#predictAndExport(repo.getJob(db, this.#id).plan!, selection);
      repo.update(db, this.#id, { stage: 'done', elapsedSeconds: this.elapsed() });
      repo.finish(db, this.#id, 'completed');
    } catch (err) {
      if (this.#closed) return;
      repo.update(db, this.#id, { elapsedSeconds: this.elapsed() });
      if (err instanceof Stopped || this.#stopping) repo.finish(db, this.#id, 'stopped');
      else {
        if (!(err instanceof WorkbenchError)) log.error(`autopilot ${this.#id} failed`, err as Error);
        repo.finish(db, this.#id, 'failed', (err as Error).message);
      }
    } finally {
      clearInterval(ticker);
      if (!this.#closed) this.#changed();
    }
  }

  async #plan(): Promise<AutopilotPlan> {
    const job = repo.getJob(this.#wb.db, this.#id);
    const rows = rowsOf(this.#wb, job.datasetId, job.testDatasetId);
    const backend = await backendHere(this.#wb);
    const slots = job.target === 'pool' ? await this.#wb.pool.trainingSlots() : 1;
    const input = { budgetSeconds: job.budgetSeconds, spentSeconds: this.elapsed(), ...rows, slots, backend: job.target === 'pool' ? 'the worker pool' : backend };
    const throughput = await measure(this.#wb, {
      datasetId: job.datasetId,
      target: job.target,
      backend,
      rows,
      input,
      cached: this.#cache,
      tags: ['autopilot', `autopilot-${this.#id}`, 'calibration'],
      cancelled: () => this.#stopping,
    });
    this.#checkStop();
    return makePlan({ ...input, spentSeconds: this.elapsed(), throughput });
  }

  async #train(plan: AutopilotPlan): Promise<void> {
    const db = this.#wb.db;
    const job = repo.getJob(db, this.#id);
    const rows = rowsOf(this.#wb, job.datasetId, job.testDatasetId);
    const preset = plan.members[0].preset;
    const t = { ...plan.throughput.find((x) => x.preset === preset)! };
    const min = POLICY[preset].min;
    const members = [...plan.members];
    const margin = marginSeconds(this.#budget);
    let measuredFrom: Throughput['source'] | null = null;
    const save = () =>
      repo.update(db, this.#id, { plan: { ...plan, members, throughput: plan.throughput.map((x) => (x.preset === preset && measuredFrom ? { ...t, source: measuredFrom } : x)) } });
    // Training must end in time to predict every member (with TTA if planned) and export.
    const trainDeadline = () => this.#budget - margin - exportSeconds(rows.testRows) - predictSeconds(t, members.length, rows.testRows, plan.tta);
    // Past this even one member without TTA could not be predicted: a member still training is stopped mid-epoch.
    const hardDeadline = () => this.#budget - margin / 2 - exportSeconds(rows.testRows) - predictSeconds(t, 1, rows.testRows, false);
    for (;;) {
      this.#checkStop();
      const bySeed = new Map(repo.memberRunIds(db, this.#id).map((id) => [runsRepo.getRun(db, id).seed, id]));
      const done = new Set(repo.doneRuns(db, this.#id));
      const pending = members.filter((m) => !done.has(bySeed.get(m.seed) ?? -1));
      if (pending.length === 0) {
        // Members that ended sooner than planned leave time: one more member if it gets its minimum epochs.
        const spare = Math.floor((trainDeadline() - this.elapsed() - t.startupSeconds) / t.epochSeconds);
        const extraCost = predictSeconds(t, members.length + 1, rows.testRows, plan.tta) - predictSeconds(t, members.length, rows.testRows, plan.tta);
        const epochs = Math.min(POLICY[preset].max, Math.floor((trainDeadline() - extraCost - this.elapsed() - t.startupSeconds) / t.epochSeconds));
        if (spare < min || epochs < min || members.length >= MAX_MEMBERS) return;
        members.push({ preset, epochs, seed: Math.max(...members.map((m) => m.seed), 0) + 1 });
        save();
        this.#note(`member ${members.length} added: the members so far ended sooner than planned, leaving time for ${epochs} more epochs`);
        continue;
      }
      const wavesLeft = Math.ceil(pending.length / plan.slots);
      const per = (trainDeadline() - this.elapsed()) / wavesLeft;
      const fit = Math.floor((per - t.startupSeconds) / t.epochSeconds);
      const last = pending[pending.length - 1];
      if (fit < min && pending.length > 1 && !bySeed.has(last.seed)) {
        members.splice(members.indexOf(last), 1);
        save();
        this.#note(`member ${members.length + 1} dropped: the members before it ran slower than planned, and ${fit} epoch${fit === 1 ? '' : 's'} each would be too few`);
        continue;
      }
      if (fit < 1) {
        for (const m of pending) {
          const runId = bySeed.get(m.seed);
          if (runId !== undefined) repo.markDone(db, this.#id, runId);
          else members.splice(members.indexOf(m), 1);
        }
        save();
        this.#note(`no time left to train ${pending.length === 1 ? 'the last member' : `the last ${pending.length} members`}: going on to prediction`);
        return;
      }
      const wave: { runId: number; epochs: number }[] = [];
      for (const m of pending.slice(0, plan.slots)) {
        const runId = bySeed.get(m.seed);
        // The epochs are a cap, the deadline the real limit (the presets' schedules do not depend on the total): a
        // member faster than the figures said trains on, up to twice what they allowed.
        const cap = Math.min(POLICY[preset].max, 2 * Math.min(m.epochs, fit));
        const started = runId === undefined ? await this.#startMember(job.datasetId, preset, cap, m.seed, job.target) : await this.#resumeMember(runId);
        if (started !== null) wave.push(started);
      }
      const deadline = this.elapsed() + per;
      await this.#watch(wave, { deadline, hardDeadline, evalSeconds: rows.valRows / t.predictRowsPerSecond, epochSeconds: () => t.epochSeconds });
      for (const w of wave) repo.markDone(db, this.#id, w.runId);
      // Later waves, and the prediction, plan with what the members measured (truer than a short calibration).
      const measured = throughputOfRuns(db, repo.memberRunIds(db, this.#id), { preset, ...rows });
      if (measured) {
        t.epochSeconds = measured.epochSeconds;
        t.predictRowsPerSecond = measured.predictRowsPerSecond;
        measuredFrom = measured.source;
        save();
      }
    }
  }

  async #startMember(datasetId: number, preset: AutopilotPlan['members'][number]['preset'], epochs: number, seed: number, target: 'local' | 'pool'): Promise<{ runId: number; epochs: number }> {
    const [run] = await this.#wb.handle('runs:start', { datasetId, preset, hyperparams: { epochs, seed }, target });
    repo.tagMember(this.#wb.db, this.#id, run.id);
    runsRepo.updateRunMeta(this.#wb.db, run.id, { notes: `autopilot ${this.#id}: member with seed ${seed}, ${epochs} epochs` });
    this.#wb.emit({ type: 'run:changed', runId: run.id, deleted: false });
    this.#changed();
    return { runId: run.id, epochs };
  }

  /** A member a stop or a crash interrupted goes on from its last epoch (null: it cannot, and counts as it is). */
  async #resumeMember(runId: number): Promise<{ runId: number; epochs: number } | null> {
    const run = runsRepo.getRun(this.#wb.db, runId);
    if (run.status === 'completed' || run.epochsDone >= run.epochsPlanned) return null;
    if (run.status !== 'running' && run.status !== 'queued') {
      try {
        await this.#wb.handle('runs:resume', { id: runId });
      } catch (err) {
        this.#note(`run ${runId} could not resume (${(err as Error).message}): it counts with its ${run.epochsDone} epochs`);
        return null;
      }
    }
    return { runId, epochs: run.epochsPlanned };
  }

  /** Waits for a wave's runs to end, stopping any that would end after its deadline. */
  #watch(wave: { runId: number; epochs: number }[], o: { deadline: number; hardDeadline: () => number; evalSeconds: number; epochSeconds: () => number }): Promise<void> {
    const db = this.#wb.db;
    const left = new Set(wave.map((w) => w.runId));
    const planned = new Map(wave.map((w) => [w.runId, w.epochs]));
    const stopping = new Set<number>();
    const recent = new Map<number, { epoch: number; batch: number; seconds: number; perBatch: number | null }>();
    for (const id of left) this.#active.add(id);
    if (this.#stopping) this.stop();
    const stopRun = (runId: number, why: string) => {
      if (stopping.has(runId)) return;
      stopping.add(runId);
      this.#note(why);
      void this.#wb.handle('runs:stop', { id: runId }).catch(() => undefined);
    };
    return new Promise((resolve) => {
      const end = (runId: number) => {
        left.delete(runId);
        this.#active.delete(runId);
        if (left.size === 0) {
          off();
          resolve();
        }
      };
      const off = this.#wb.on((event) => {
        if (event.type === 'run:progress' && left.has(event.progress.runId)) {
          const p = event.progress;
          // Seconds a batch takes now (smoothed over the recent ones): the epoch's average carries the warm-up of
          // the first batches and would foresee an end far too late.
          const prev = recent.get(p.runId);
          let perBatch = prev?.perBatch ?? null;
          if (prev && prev.epoch === p.epoch && p.batch > prev.batch) {
            const now = (p.seconds - prev.seconds) / (p.batch - prev.batch);
            perBatch = perBatch === null ? now : 0.7 * perBatch + 0.3 * now;
          }
          recent.set(p.runId, { epoch: p.epoch, batch: p.batch, seconds: p.seconds, perBatch });
          const hasEpoch = p.epoch > 1;
          if (this.elapsed() > o.hardDeadline()) {
            stopRun(p.runId, `run ${p.runId} stopped during epoch ${p.epoch}: the time kept for prediction has begun`);
            return;
          }
          if (perBatch === null || !hasEpoch) return;
          const epochEnd = this.elapsed() + (p.batches - p.batch) * perBatch + o.evalSeconds;
          if (epochEnd > o.hardDeadline()) stopRun(p.runId, `run ${p.runId} stopped during epoch ${p.epoch}: finishing it would eat into the time kept for prediction`);
          else if (epochEnd > o.deadline) {
            stopRun(p.runId, `run ${p.runId} stopped during epoch ${p.epoch}: it would have ended ${formatDuration(epochEnd - o.deadline)} after its deadline (it keeps its best of ${p.epoch - 1} epochs)`);
          }
        } else if (event.type === 'run:epoch' && left.has(event.runId)) {
          const { epoch } = event.metrics;
          // The first epoch carries the trainer's warm-up: the next one takes what a steady epoch takes.
          const next = epoch === 1 ? Math.min(event.metrics.seconds, o.epochSeconds()) : event.metrics.seconds;
          if (epoch < (planned.get(event.runId) ?? 0) && this.elapsed() + next > o.deadline) {
            stopRun(event.runId, `run ${event.runId} stopped after epoch ${epoch} of ${planned.get(event.runId)}: another epoch would end after its deadline`);
          }
        } else if (event.type === 'run:status' && left.has(event.runId) && TERMINAL.includes(event.status)) {
          end(event.runId);
        } else if (event.type === 'run:changed' && event.deleted && left.has(event.runId)) {
          end(event.runId);
        }
      });
      // A run may have ended before we listened.
      for (const id of [...left]) if (TERMINAL.includes(runsRepo.getRun(db, id).status)) end(id);
    });
  }

  async #predictAndExport(plan: AutopilotPlan, selection: Selection): Promise<void> {
    const db = this.#wb.db;
    const job = repo.getJob(db, this.#id);
    const rows = rowsOf(this.#wb, job.datasetId, job.testDatasetId);
    const t = plan.throughput.find((x) => x.preset === plan.members[0]?.preset) ?? plan.throughput[0];
    const left = () => this.#budget - marginSeconds(this.#budget) / 2 - exportSeconds(rows.testRows) - this.elapsed();
    let tta = plan.tta;
    let ensemble = selection.ensemble;
    if (tta && predictSeconds(t, ensemble.length, rows.testRows, true) > left()) {
      tta = false;
      this.#note(`TTA dropped: ${TTA_VIEWS} views of ${ensemble.length} member${ensemble.length === 1 ? '' : 's'} would need ${formatDuration(predictSeconds(t, ensemble.length, rows.testRows, true))}, ${formatDuration(left())} are left`);
    }
    while (ensemble.length > 1 && predictSeconds(t, ensemble.length, rows.testRows, tta) > left()) {
      ensemble = ensemble.slice(0, -1);
      this.#note(`the ensemble keeps ${ensemble.length} member${ensemble.length === 1 ? '' : 's'}: predicting more would overrun the budget`);
    }
    const valAcc = selection.steps[ensemble.length - 1].valAcc;
    repo.update(db, this.#id, { ensemble, valAcc, tta });
    this.#changed();
    const { out, force } = repo.jobTarget(db, this.#id);
    const path = out ?? join(exportsFolder(this.#wb.home), `autopilot-${this.#id}-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`);
    const submission = await this.#wb.handle('submissions:export', { runIds: ensemble, datasetId: job.testDatasetId, weights: 'best', tta, out: path, force });
    repo.update(db, this.#id, { submissionId: submission.id });
  }
}

export function exportsFolder(home: string): string {
  const folder = join(home, 'exports');
  mkdirSync(folder, { recursive: true });
  return folder;
}
