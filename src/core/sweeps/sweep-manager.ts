// Drives sweeps: proposes each trial when a slot frees (so TPE sees every result finished by then), queues it as
// an ordinary run (on this machine or the worker pool), judges trials at ASHA rungs on each recorded epoch, and
// ends the sweep when its budget is spent.
// The process that started or resumed a sweep owns it; stop is a status in the database, so any process can stop it.

import type { Db } from '../db/open.js';
import type { WorkbenchEvent } from '../../shared/events.js';
import type { Hyperparams } from '../../shared/hyperparams.js';
import type { RunTarget } from '../../shared/runs.js';
import type { SweepInfo, SweepSpec } from '../../shared/sweeps.js';
import { setParam, parseSpace, type ParamValue } from '../../shared/sweep-space.js';
import { createLogger } from '../logger.js';
import { resolveHyperparams } from '../training/presets.js';
import { getRunDetail } from '../training/runs-repo.js';
import { promoted, rungEpochs } from './asha.js';
import { propose } from './samplers.js';
import * as repo from './sweeps-repo.js';

const log = createLogger('sweeps');

export interface SweepManagerOptions {
  db: Db;
  emit: (event: WorkbenchEvent) => void;
  /** Queues one run and starts it when there is room (the runs:start path). */
  queueRun: (args: { datasetId: number; preset: string; hyperparams: Hyperparams; target: RunTarget }) => number;
  stopRun: (runId: number) => void;
  /** Requeues a stopped trial (settles once it is queued: a resume may first probe this machine's backends). */
  resumeRun: (runId: number) => Promise<unknown>;
  /** Trials at once: this machine's setting, or what the pool's workers take (asked of Redis, hence a promise). */
  concurrency: (target: RunTarget) => number | Promise<number>;
}

const ACTIVE = ['queued', 'running'];
const POLL_MS = 1000;

export class SweepManager {
  readonly #o: SweepManagerOptions;
  readonly #waiters = new Map<number, ((info: SweepInfo) => void)[]>();
  readonly #polls = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(opts: SweepManagerOptions) {
    this.#o = opts;
  }

  /** The hyperparameters of a trial: the spec's base with the proposed values set. */
  static trialHyperparams(spec: SweepSpec, params: Record<string, ParamValue>): Hyperparams {
    let hp = resolveHyperparams(spec.preset, spec.hyperparams);
    for (const [key, value] of Object.entries(params)) hp = setParam(hp, key, value);
    return resolveHyperparams(spec.preset, hp as unknown as Record<string, unknown>);
  }

  /**
   * Proposes and queues trials while the sweep has budget and its target has room for them. A local sweep's
   * trials are queued before this returns; a pool sweep's once the pool's workers are counted.
   */
  fill(id: number): Promise<void> {
    const db = this.#o.db;
    if (repo.statusOf(db, id) !== 'running' || !repo.ownedHere(db, id)) {
      this.#settle(id);
      return Promise.resolve();
    }
    const room = this.#o.concurrency(repo.specOf(db, id).target ?? 'local');
    if (typeof room === 'number') {
      this.#fillUpTo(id, room);
      return Promise.resolve();
    }
    return room.then((n) => this.#fillUpTo(id, n));
  }

  #fillUpTo(id: number, room: number): void {
    const db = this.#o.db;
    // A pool sweep got here after an await: it may have been stopped meanwhile.
    if (this.#closed || repo.statusOf(db, id) !== 'running' || !repo.ownedHere(db, id)) return this.#settle(id);
    const spec = repo.specOf(db, id);
    const dims = parseSpace(spec.params);
    const trials = repo.trialsOf(db, id);
    let active = trials.filter((t) => ACTIVE.includes(t.status)).length;
    let count = trials.length;
    while (count < spec.trials && active < Math.max(1, room)) {
      const finished = trials.filter((t) => (t.status === 'completed' || t.status === 'pruned') && t.best !== null).map((t) => ({ params: t.params, value: t.best! }));
      const params = propose({ search: spec.search, dims, seed: spec.seed, trial: count, trials: spec.trials, finished });
      const runId = this.#o.queueRun({ datasetId: spec.datasetId, preset: spec.preset, hyperparams: SweepManager.trialHyperparams(spec, params), target: spec.target ?? 'local' });
      repo.attachRun(db, runId, id);
      log.info(`sweep ${id}: trial ${count + 1} is run ${runId} ${JSON.stringify(params)}`);
      count++;
      active++;
    }
    if (count >= spec.trials && active === 0) repo.setStatus(db, id, 'completed');
    this.#o.emit({ type: 'sweep:changed', sweepId: id });
    this.#settle(id);
  }

  /** Wakes `waitFor` once the sweep is over and none of its trials is still training. */
  #settle(id: number): void {
    const db = this.#o.db;
    if (repo.statusOf(db, id) === 'running' || repo.trialsOf(db, id).some((t) => ACTIVE.includes(t.status))) return;
    const info = repo.sweepInfo(db, id);
    for (const resolve of this.#waiters.get(id) ?? []) resolve(info);
    this.#waiters.delete(id);
  }

  /**
   * Resolves once the sweep is over and nothing of it trains. Also polled: `sweep stop` in another process
   * finishes a queued trial in the database without any event reaching this one.
   */
  waitFor(id: number): Promise<SweepInfo> {
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        try {
          this.#settle(id);
        } catch (err) {
          // The store closed under the wait (the process is ending): stop polling, say why once.
          clearInterval(poll);
          log.error(`sweep ${id}: stopped waiting: ${(err as Error).message}`);
        }
      }, POLL_MS);
      this.#polls.add(poll);
      const done = (info: SweepInfo) => {
        clearInterval(poll);
        this.#polls.delete(poll);
        resolve(info);
      };
      this.#waiters.set(id, [...(this.#waiters.get(id) ?? []), done]);
      this.#settle(id);
    });
  }

  stop(id: number): SweepInfo {
    const db = this.#o.db;
    if (repo.statusOf(db, id) === 'running') repo.setStatus(db, id, 'stopped');
    for (const t of repo.trialsOf(db, id)) if (ACTIVE.includes(t.status)) this.#o.stopRun(t.runId);
    this.#o.emit({ type: 'sweep:changed', sweepId: id });
    this.#settle(id);
    return repo.sweepInfo(db, id);
  }

  /** Continues stopped and interrupted trials from their checkpoints, then proposes the rest. */
  async resume(id: number): Promise<SweepInfo> {
    const db = this.#o.db;
    repo.claim(db, id);
    // Wait until the trials are queued again: filling before would find none active and end the sweep.
    const resumed = await Promise.allSettled(repo.trialsOf(db, id).filter((t) => t.status === 'stopped' || t.status === 'interrupted').map((t) => this.#o.resumeRun(t.runId)));
    await this.fill(id);
    const refused = resumed.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    return repo.sweepInfo(db, id);
  }

  /**
   * Before the run manager interrupts this process's runs: their status events must not propose new trials, and
   * the sweeps this process drove become interrupted (resumable), like its runs.
   */
  close(): void {
    this.#closed = true;
    for (const poll of this.#polls) clearInterval(poll);
    this.#polls.clear();
    const db = this.#o.db;
    for (const id of db.prepare("SELECT id FROM sweeps WHERE status = 'running'").pluck().all() as number[]) {
      if (repo.ownedHere(db, id)) repo.setStatus(db, id, 'interrupted');
    }
  }

  onEvent(event: WorkbenchEvent): void {
    if (this.#closed) return;
    try {
      if (event.type === 'run:epoch') this.#judge(event.runId, event.metrics.epoch, event.metrics.valAcc);
      else if (event.type === 'run:status' && !ACTIVE.includes(event.status)) {
        const sweepId = repo.sweepOfRun(this.#o.db, event.runId);
        if (sweepId !== null) void this.fill(sweepId).catch((err: Error) => log.error(`sweep ${sweepId}: proposing trials: ${err.stack ?? err.message}`));
      }
    } catch (err) {
      log.error(`sweep event ${event.type}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /** ASHA at a rung: compare with every trial of the sweep that reached this epoch and was not pruned before it. */
  #judge(runId: number, epoch: number, valAcc: number | null): void {
    const db = this.#o.db;
    const sweepId = repo.sweepOfRun(db, runId);
    if (sweepId === null || !repo.ownedHere(db, sweepId)) return;
    const spec = repo.specOf(db, sweepId);
    if (!spec.prune || valAcc === null) return;
    const run = getRunDetail(db, runId);
    if (!rungEpochs(spec.prune, run.epochsPlanned).includes(epoch)) return;
    const competing = db
      .prepare(
        `SELECT e.val_acc FROM epochs e JOIN runs r ON r.id = e.run_id
         WHERE r.sweep_id = ? AND e.epoch = ? AND e.val_acc IS NOT NULL AND (r.pruned_at IS NULL OR r.pruned_at >= ?)`,
      )
      .pluck()
      .all(sweepId, epoch, epoch) as number[];
    if (promoted(valAcc, competing, spec.prune.reductionFactor)) return;
    repo.markPruned(db, runId, epoch);
    log.info(`sweep ${sweepId}: run ${runId} pruned at epoch ${epoch} (val acc ${valAcc} among ${competing.length})`);
    if (ACTIVE.includes(run.status)) this.#o.stopRun(runId);
    this.#o.emit({ type: 'sweep:changed', sweepId });
  }
}
