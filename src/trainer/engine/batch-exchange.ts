// The meeting point of a batch's replicas at each BatchNorm layer: shared memory and a barrier (Atomics), so a
// replica blocks only for as long as the slowest one needs to reach the same layer, with no message round trips.
// The engine's thread and each worker thread attach to the same SharedArrayBuffer.

import { WorkbenchError } from '../../shared/errors.js';

const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const PARTIES = 3;
const CONTROL_BYTES = 16;
/** Waits wake this often to notice an abort; a replica that never arrives (a dead thread) fails the step here. */
const POLL_MS = 200;
const GIVE_UP_MS = 5 * 60_000;

const ABORTED_DETAILS = { abortedBy: 'another replica' };

/** True for the error a replica throws because another one of its batch failed (that one's error says why). */
export function isAbort(err: unknown): boolean {
  return err instanceof WorkbenchError && err.details === ABORTED_DETAILS;
}

export interface ExchangeLayout {
  buffer: SharedArrayBuffer;
  replicas: number;
  /** Float64 values per replica and sync point: the largest BatchNorm's 1 + 2 × channels. */
  slot: number;
}

export class BatchExchange {
  readonly #control: Int32Array;
  readonly #data: Float64Array;

  constructor(readonly layout: ExchangeLayout) {
    this.#control = new Int32Array(layout.buffer, 0, 4);
    // Two generations of slots: a replica that passed the barrier may write its next values while a slower one
    // still reads this generation's, and cannot get two ahead (it would have to pass the next barrier first).
    this.#data = new Float64Array(layout.buffer, CONTROL_BYTES, 2 * layout.replicas * layout.slot);
  }

  static create(replicas: number, slot: number): BatchExchange {
    const buffer = new SharedArrayBuffer(CONTROL_BYTES + 2 * replicas * slot * 8);
    return new BatchExchange({ buffer, replicas, slot });
  }

  /** Before a step, with no replica inside one: how many take part; clears what a failed step left. */
  begin(parties: number): void {
    Atomics.store(this.#control, ARRIVED, 0);
    Atomics.store(this.#control, ABORTED, 0);
    Atomics.store(this.#control, PARTIES, parties);
  }

  /** Makes every replica waiting now or later in this step throw (one of them failed). */
  abort(): void {
    Atomics.store(this.#control, ABORTED, 1);
    Atomics.notify(this.#control, GENERATION);
  }

  /** Replica `rank`'s contribution in, everyone's out (in rank order) once all have arrived. */
  gather(rank: number, local: Float64Array): Float64Array[] {
    const { replicas, slot } = this.layout;
    const control = this.#control;
    const parties = Atomics.load(control, PARTIES);
    const generation = Atomics.load(control, GENERATION);
    const base = (generation & 1) * replicas * slot;
    this.#data.set(local, base + rank * slot);
    if (Atomics.add(control, ARRIVED, 1) === parties - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    } else {
      const since = Date.now();
      while (Atomics.load(control, GENERATION) === generation) {
        if (Atomics.load(control, ABORTED)) throw new WorkbenchError('trainer', 'Another replica of this batch failed', ABORTED_DETAILS);
        if (Date.now() - since > GIVE_UP_MS) {
          this.abort();
          throw new WorkbenchError('trainer', `A replica did not reach BatchNorm within ${GIVE_UP_MS / 60_000} minutes (did a worker thread die?)`);
        }
        Atomics.wait(control, GENERATION, generation, POLL_MS);
      }
    }
    return Array.from({ length: parties }, (_, r) => this.#data.slice(base + r * slot, base + r * slot + local.length));
  }
}
