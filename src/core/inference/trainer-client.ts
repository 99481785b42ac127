// Request/response calls into a trainer process (predict, explain, export) for work that is not a training
// run: one process started on demand, kept while requests come, restarted when it dies, never the caller's thread.

import { WorkbenchError } from '../../shared/errors.js';
import type { TrainerEvent, TrainerRequest } from '../../shared/trainer-protocol.js';
import type { TrainerHandle, TrainerSpawner } from '../training/trainer-process.js';
import { captureTrainerOutput } from '../training/trainer-output.js';

type Request = Extract<TrainerRequest, { requestId: number }>;
type Reply = Extract<TrainerEvent, { requestId: number }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  onProgress?: (done: number, total: number, stage?: string) => void;
}

const IDLE_MS = 60_000;

export class TrainerClient {
  readonly #spawn: TrainerSpawner;
  #trainer: TrainerHandle | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #idle: NodeJS.Timeout | undefined;

  constructor(spawn: TrainerSpawner) {
    this.#spawn = spawn;
  }

  #ensure(): TrainerHandle {
    if (this.#trainer) return this.#trainer;
    const trainer = this.#spawn();
    captureTrainerOutput(trainer);
    trainer.onEvent((event) => {
      if (!('requestId' in event) || event.requestId === undefined) return;
      const pending = this.#pending.get(event.requestId);
      if (!pending) return;
      if (event.type === 'predict-progress') return pending.onProgress?.(event.done, event.total, event.stage);
      this.#pending.delete(event.requestId);
      if (event.type === 'error') pending.reject(WorkbenchError.from(event.error));
      else pending.resolve(event as Reply);
      this.#armIdle();
    });
    trainer.onExit((reason) => {
      if (this.#trainer === trainer) this.#trainer = undefined;
      for (const p of this.#pending.values()) p.reject(new WorkbenchError('trainer', reason));
      this.#pending.clear();
    });
    this.#trainer = trainer;
    return trainer;
  }

  #armIdle(): void {
    if (this.#idle) clearTimeout(this.#idle);
    if (this.#pending.size > 0) return;
    this.#idle = setTimeout(() => this.close(), IDLE_MS);
    this.#idle.unref();
  }

  request<T extends Reply['type']>(
    request: DistributiveOmit<Request, 'requestId'>,
    expect: T,
    onProgress?: (done: number, total: number, stage?: string) => void,
  ): Promise<Extract<Reply, { type: T }>> {
    if (this.#idle) clearTimeout(this.#idle);
    const requestId = this.#nextId++;
    const trainer = this.#ensure();
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, {
        resolve: (reply) => (reply.type === expect ? resolve(reply as Extract<Reply, { type: T }>) : reject(new WorkbenchError('trainer', `unexpected reply ${reply.type}`))),
        reject,
        onProgress,
      });
      trainer.send({ ...request, requestId } as Request);
    });
  }

  close(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#trainer?.kill();
    this.#trainer = undefined;
  }
}
