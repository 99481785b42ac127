// A pool run seen by the run manager as a trainer handle: `send(train)` queues it on the pool, the run's stream
// delivers its events, `stop` sets the job's stop key. The run manager commits events exactly as for a local run.

import { toErrorData } from '../../shared/errors.js';
import type { BackendChoice, TrainerEvent, TrainerRequest } from '../../shared/trainer-protocol.js';
import type { TrainerHandle } from '../training/trainer-process.js';
import type { PoolOwner } from './pool-owner.js';

export interface PoolHandleOptions {
  runId: number;
  owner: () => Promise<PoolOwner>;
  backend: BackendChoice | null;
  threads: number | null;
  /** Adopting a run already on the pool: consume its stream instead of queuing it. */
  attachTo?: string;
}

export class PoolRunHandle implements TrainerHandle {
  readonly pid = undefined;
  readonly #opts: PoolHandleOptions;
  readonly #events: ((event: TrainerEvent) => void)[] = [];
  readonly #exits: ((reason: string) => void)[] = [];
  #jobId: Promise<string | null>;
  #resolveJob!: (id: string | null) => void;
  #finished = false;
  #stopSent = false;

  constructor(opts: PoolHandleOptions) {
    this.#opts = opts;
    this.#jobId = new Promise((resolve) => (this.#resolveJob = resolve));
    if (opts.attachTo) {
      const jobId = opts.attachTo;
      this.#resolveJob(jobId);
      void opts.owner().then((o) => o.attach(opts.runId, jobId, this.#sink)).catch((err: unknown) => this.#fail(err));
    }
  }

  /** Settles once the job is in the queue (or the launch failed): `train --detach` may exit after it. */
  get queued(): Promise<string | null> {
    return this.#jobId;
  }

  readonly #sink = {
    event: (event: TrainerEvent) => {
      if (event.type === 'done' || event.type === 'error') this.#finished = true;
      for (const l of this.#events) l(event);
    },
    gone: (reason: string) => {
      for (const l of this.#exits) l(reason);
    },
  };

  #fail(err: unknown): void {
    this.#resolveJob(null);
    this.#sink.event({ type: 'error', runId: this.#opts.runId, error: toErrorData(err) });
  }

  send(request: TrainerRequest): void {
    const { owner, runId, backend, threads } = this.#opts;
    if (request.type === 'train') {
      void owner()
        .then((o) => o.launch(runId, request, { backend, threads }, this.#sink))
        .then((jobId) => this.#resolveJob(jobId))
        .catch((err: unknown) => this.#fail(err));
    } else if (request.type === 'stop' && !this.#stopSent) {
      // The run manager repeats a stop every poll; one key write is enough.
      this.#stopSent = true;
      void Promise.all([owner(), this.#jobId])
        .then(([o, jobId]) => (jobId ? o.stop(jobId) : undefined))
        .catch(() => undefined);
    }
  }

  onEvent(listener: (event: TrainerEvent) => void): void {
    this.#events.push(listener);
  }

  onExit(listener: (reason: string) => void): void {
    this.#exits.push(listener);
  }

  /** The run ended here (done, error, or the owner failed it): stop consuming; an unfinished job is stopped. */
  kill(): void {
    const finished = this.#finished;
    void Promise.all([this.#opts.owner(), this.#jobId])
      .then(async ([o, jobId]) => {
        if (!jobId) return;
        if (!finished) await o.stop(jobId);
        o.release(jobId, finished);
      })
      .catch(() => undefined);
  }

  /** The owner is closing: the worker trains on and the stream keeps the events for the next owner. */
  detach(): void {
    void Promise.all([this.#opts.owner(), this.#jobId])
      .then(([o, jobId]) => (jobId ? o.release(jobId, false) : undefined))
      .catch(() => undefined);
  }
}
