// sha256 of a file's raw bytes as the parser reads them: on a worker thread for big files, so hashing (~50 ms per
// 77 MB) runs on the second core while the main thread parses the very same shared buffers.

import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Below this a worker's start-up (~30 ms, mostly on its own thread) is not worth it. */
const WORKER_MIN_BYTES = 8 << 20;

export interface ChunkHasher {
  /** Allocates a read buffer the hasher can see (shared memory when hashing on a worker). */
  alloc(size: number): Uint8Array;
  /** Hashes `buf[0, n)`; resolves once `buf` may be overwritten. */
  update(buf: Uint8Array, n: number): Promise<void>;
  digest(): Promise<string>;
  /** Stops the worker, if any; safe to call twice and after digest. */
  close(): void;
}

export function chunkHasher(totalBytes: number): ChunkHasher {
  return totalBytes >= WORKER_MIN_BYTES ? new WorkerHasher() : new InlineHasher();
}

class InlineHasher implements ChunkHasher {
  readonly #hash = createHash('sha256');
  alloc(size: number): Uint8Array {
    return new Uint8Array(size);
  }
  update(buf: Uint8Array, n: number): Promise<void> {
    this.#hash.update(buf.subarray(0, n));
    return Promise.resolve();
  }
  digest(): Promise<string> {
    return Promise.resolve(this.#hash.digest('hex'));
  }
  close(): void {}
}

// Plain CommonJS evaluated in the worker: no file to locate, whether running from build/ or from sources.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m.buf) { hash.update(m.buf.subarray(0, m.n)); parentPort.postMessage(m.id); }
  else parentPort.postMessage(hash.digest('hex'));
});`;

type Waiter = { resolve: (value: unknown) => void; reject: (err: Error) => void };

class WorkerHasher implements ChunkHasher {
  readonly #worker = new Worker(WORKER_SOURCE, { eval: true });
  // Replies come back in the order of the requests: acks for chunks, then the digest.
  readonly #waiting: Waiter[] = [];
  #failed: Error | null = null;
  #nextId = 0;

  constructor() {
    this.#worker.on('message', (reply: unknown) => this.#waiting.shift()?.resolve(reply));
    const fail = (err: Error) => {
      this.#failed ??= err;
      for (const w of this.#waiting.splice(0)) w.reject(err);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', () => fail(new Error('the hashing worker stopped')));
  }

  alloc(size: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(size));
  }

  #request(message: object): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#worker.postMessage(message);
    });
  }

  update(buf: Uint8Array, n: number): Promise<void> {
    const done = this.#request({ id: this.#nextId++, buf, n }).then(() => undefined);
    // The parser awaits this only before reusing `buf`; after a parse error nobody does, which must not crash.
    done.catch(() => undefined);
    return done;
  }

  async digest(): Promise<string> {
    return (await this.#request({})) as string;
  }

  close(): void {
    void this.#worker.terminate();
  }
}
