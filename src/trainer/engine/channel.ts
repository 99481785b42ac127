// The fast path for batch shares between the engine and a worker thread: one SharedArrayBuffer holding the share
// (pixels, labels, step), the result (loss, hits, BatchNorm statistics) and a few Int32 flags, signalled with
// Atomics. A message round trip costs ~0.4 ms per batch here, a fifth of a LeNet step; Atomics take microseconds.

import { PIXELS } from '../../shared/digits.js';

/** Int32 slots at the head of the buffer. */
export const SEQ = 0; // the engine bumps it to post a share
export const DONE = 1; // the worker sets it to SEQ when the share is done
export const WAKE = 2; // the engine sets it to make a waiting worker return to its event loop (for a message)
const N = 3;
const FIRST = 4;
const TOTAL = 5;
const STEP = 6;
const VERSION = 7;
const FAILED = 8;
const ERROR_LENGTH = 9;
const INTS = 10;
const ERROR_BYTES = 1024;

export interface ShareFields {
  n: number;
  first: number;
  total: number;
  step: number;
  version: number;
}

/** Typed views over one channel buffer; both sides build the same ones from (buffer, capacity, statsLength). */
export class Channel {
  readonly ctrl: Int32Array;
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly bn: Float32Array;
  readonly #scalars: Float64Array;
  readonly #error: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly capacity: number, readonly statsLength: number) {
    let at = 0;
    const take = (bytes: number) => {
      const start = at;
      at += Math.ceil(bytes / 8) * 8;
      return start;
    };
    this.ctrl = new Int32Array(buffer, take(INTS * 4), INTS);
    this.#scalars = new Float64Array(buffer, take(16), 2);
    this.#error = new Uint8Array(buffer, take(ERROR_BYTES), ERROR_BYTES);
    this.bn = new Float32Array(buffer, take(statsLength * 4), statsLength);
    this.x = new Float32Array(buffer, take(capacity * PIXELS * 4), capacity * PIXELS);
    this.y = new Uint8Array(buffer, take(capacity), capacity);
  }

  static bytes(capacity: number, statsLength: number): number {
    const pad = (b: number) => Math.ceil(b / 8) * 8;
    return pad(INTS * 4) + 16 + ERROR_BYTES + pad(statsLength * 4) + pad(capacity * PIXELS * 4) + pad(capacity);
  }

  static create(capacity: number, statsLength: number): Channel {
    return new Channel(new SharedArrayBuffer(Channel.bytes(capacity, statsLength)), capacity, statsLength);
  }

  writeShare(x: Float32Array, y: Uint8Array, f: ShareFields): void {
    this.x.set(x);
    this.y.set(y);
    const c = this.ctrl;
    c[N] = f.n;
    c[FIRST] = f.first;
    c[TOTAL] = f.total;
    c[STEP] = f.step;
    c[VERSION] = f.version;
  }

  readShare(): ShareFields & { x: Float32Array; y: Uint8Array } {
    const c = this.ctrl;
    const n = c[N];
    // Copies: the engine rewrites the buffer for the next share.
    return { n, first: c[FIRST], total: c[TOTAL], step: c[STEP], version: c[VERSION], x: this.x.slice(0, n * PIXELS), y: this.y.slice(0, n) };
  }

  writeResult(lossSum: number, correct: number, bnStats: Float32Array[]): void {
    this.#scalars[0] = lossSum;
    this.#scalars[1] = correct;
    let at = 0;
    for (const s of bnStats) {
      this.bn.set(s, at);
      at += s.length;
    }
    this.ctrl[FAILED] = 0;
  }

  /** The share's result; BatchNorm statistics split per layer (2 × channels each). */
  readResult(bnChannels: number[]): { lossSum: number; correct: number; bnStats: Float32Array[] } {
    let at = 0;
    const bnStats = bnChannels.map((c) => {
      const s = this.bn.slice(at, at + 2 * c);
      at += 2 * c;
      return s;
    });
    return { lossSum: this.#scalars[0], correct: this.#scalars[1], bnStats };
  }

  writeError(message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES);
    this.#error.set(bytes);
    this.ctrl[ERROR_LENGTH] = bytes.length;
    this.ctrl[FAILED] = 1;
  }

  /** The worker's error for the last share, or null. */
  readError(): string | null {
    if (this.ctrl[FAILED] === 0) return null;
    return new TextDecoder().decode(this.#error.slice(0, this.ctrl[ERROR_LENGTH]));
  }
}
