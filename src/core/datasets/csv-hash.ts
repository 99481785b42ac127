// The parser's side work on the bytes and pixels it produces: sha256 of the raw file and packing the images into
// their stored chunks (image-chunks.ts). For big files both run on one worker thread — the second core — that
// reads the parser's shared buffers, so the main thread only parses; small files do both inline.

import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { BROTLI, CHUNK_IMAGES, ChunkPacker, chunkCount, packChunk } from './image-chunks.js';
import { PIXELS } from './mnist-digits.js';

/** Below this a worker's start-up (~30 ms, mostly on its own thread) is not worth it. */
const WORKER_MIN_BYTES = 8 << 20;

export interface SideResult {
  /** Hex sha256 of every byte hashed. */
  sha256: string;
  /** Every chunk of the final pixels in its stored form, in order; null when not packing. */
  packed: Buffer[] | null;
}

export interface SideWork {
  /** Read buffers in rotation: chunk number `i` of the file is read into `buffers[i % buffers.length]`. */
  readonly buffers: Uint8Array[];
  /** Where the parser must put the pixels (zeroed, big enough for any file of this size), if anywhere. */
  readonly pixels: Uint8Array | undefined;
  /** Chunk `i` of the file is in its buffer, `n` bytes long: hash it (in file order). */
  hash(i: number, n: number): void;
  /** Resolves once chunk `i` may be read into its buffer; undefined when it may be already. */
  free(i: number): Promise<void> | undefined;
  /** The first `rows` rows of `pixels` are parsed and will not change. */
  parsed(pixels: Uint8Array, rows: number): void;
  /** After the last chunk: the digest, and every chunk of `pixels` (all rows, final) packed. */
  finish(pixels: Uint8Array): Promise<SideResult>;
  /** Stops the worker, if any; safe to call twice and after finish. */
  close(): void;
}

export function sideWork(totalBytes: number, opts: { chunkBytes: number; pack: boolean }): SideWork {
  return totalBytes >= WORKER_MIN_BYTES ? new WorkerSide(totalBytes, opts) : new InlineSide(opts);
}

class InlineSide implements SideWork {
  readonly #hash = createHash('sha256');
  readonly #packer: ChunkPacker | undefined;
  // Three: one parsed (and hashed), one being read, one spare.
  readonly buffers: Uint8Array[];
  readonly pixels = undefined;

  constructor(opts: { chunkBytes: number; pack: boolean }) {
    this.buffers = Array.from({ length: 3 }, () => new Uint8Array(opts.chunkBytes));
    this.#packer = opts.pack ? new ChunkPacker() : undefined;
  }
  hash(i: number, n: number): void {
    this.#hash.update(this.buffers[i % this.buffers.length].subarray(0, n));
  }
  free(): undefined {
    return undefined;
  }
  parsed(pixels: Uint8Array, rows: number): void {
    this.#packer?.add(pixels, rows);
  }
  async finish(pixels: Uint8Array): Promise<SideResult> {
    return { sha256: this.#hash.digest('hex'), packed: this.#packer ? await this.#packer.finish(pixels) : null };
  }
  close(): void {}
}

// Read buffers in rotation on the worker path, so that the parser runs ahead while the worker starts up or
// packs. 8 measured as good as 16 (each buffer's first use costs page faults) and better than 4.
const RING = 8;

// The control words the two threads share (an Int32Array): the main thread bumps SEQ after any change, and the
// worker sleeps on SEQ (Atomics.wait) when it has nothing to do; the main thread sleeps on HASHED (waitAsync).
const SEQ = 0;
const PUBLISHED = 1; // chunks of the file ready to hash
const HASHED = 2; // chunks hashed: their buffers may be read into again
const ROWS = 3; // rows of the shared pixels that are parsed
const STATE = 4; // 0 (a fresh SharedArrayBuffer is zeroed), then END: every chunk published, ROWS final
const CLAIMED = 5; // image chunks taken for packing, by either thread (compareExchange)
const LENGTHS = 6; // bytes in each ring buffer
const END = 1;

interface WorkerData {
  ctrl: SharedArrayBuffer;
  ring: SharedArrayBuffer[];
  pixels: SharedArrayBuffer | null;
  brotli: typeof BROTLI;
}

interface WorkerReply {
  sha256: string;
  /** The image chunks this worker packed, and their numbers. */
  packed: Uint8Array[];
  chunks: number[];
}

// Plain CommonJS evaluated in the worker: no file to locate, whether running from build/ or from sources. It
// works until END without any message: hashing first, as the parser waits on that to reuse a buffer; then
// packing each whole chunk of parsed rows; at END the last, partial chunk. The main thread, once it has parsed
// everything, packs chunks too, taking them from the same counter: the worker starts ~30 ms late and would
// otherwise finish last.
const WORKER_SOURCE = `
const { workerData: d, parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { brotliCompressSync } = require('node:zlib');
const ctrl = new Int32Array(d.ctrl);
const ring = d.ring.map((b) => new Uint8Array(b));
const pixels = d.pixels && new Uint8Array(d.pixels);
const hash = createHash('sha256');
const packed = [];
const chunks = [];
let hashed = 0;
for (;;) {
  const seq = Atomics.load(ctrl, ${SEQ});
  const state = Atomics.load(ctrl, ${STATE});
  if (hashed < Atomics.load(ctrl, ${PUBLISHED})) {
    const k = hashed % ring.length;
    hash.update(ring[k].subarray(0, ctrl[${LENGTHS} + k]));
    Atomics.store(ctrl, ${HASHED}, ++hashed);
    Atomics.notify(ctrl, ${HASHED});
    continue;
  }
  if (pixels) {
    const rows = Atomics.load(ctrl, ${ROWS});
    const c = Atomics.load(ctrl, ${CLAIMED});
    if (c < (state === ${END} ? Math.ceil : Math.floor)(rows / ${CHUNK_IMAGES})) {
      if (Atomics.compareExchange(ctrl, ${CLAIMED}, c, c + 1) === c) {
        const out = brotliCompressSync(pixels.subarray(c * ${CHUNK_IMAGES * PIXELS}, Math.min(c + 1, rows / ${CHUNK_IMAGES}) * ${CHUNK_IMAGES * PIXELS}), d.brotli);
        // A copy of its own: the output sits in a buffer sized for a whole chunk, and a message takes all of it.
        packed.push(new Uint8Array(out));
        chunks.push(c);
      }
      continue;
    }
  }
  if (state === ${END}) break;
  Atomics.wait(ctrl, ${SEQ}, seq);
}
parentPort.postMessage({ sha256: hash.digest('hex'), packed, chunks }, packed.map((p) => p.buffer));`;

type AtomicsWaitAsync = (a: Int32Array, index: number, value: number) => { async: boolean; value: Promise<unknown> | string };
// ES2024 (Node ≥ 16); the project's lib is ES2023.
const waitAsync = (Atomics as unknown as { waitAsync: AtomicsWaitAsync }).waitAsync;

class WorkerSide implements SideWork {
  readonly buffers: Uint8Array[];
  readonly pixels: Uint8Array | undefined;
  readonly #ctrl = new Int32Array(new SharedArrayBuffer(4 * (LENGTHS + RING)));
  readonly #worker: Worker;
  /** Settles with the worker's reply, or fails if it errs or stops first. */
  readonly #reply: Promise<WorkerReply>;

  constructor(totalBytes: number, opts: { chunkBytes: number; pack: boolean }) {
    const ring = Array.from({ length: RING }, () => new SharedArrayBuffer(opts.chunkBytes));
    this.buffers = ring.map((b) => new Uint8Array(b));
    // Every row takes at least 2 bytes per field and a test.csv row has the fewest fields: a bound on the rows
    // of any file this size. Pages of it are only touched as rows arrive, so a bad file costs nothing here.
    const pixels = opts.pack ? new SharedArrayBuffer(Math.ceil(totalBytes / (2 * PIXELS - 1)) * PIXELS) : null;
    this.pixels = pixels ? new Uint8Array(pixels) : undefined;
    const workerData: WorkerData = { ctrl: this.#ctrl.buffer as SharedArrayBuffer, ring, pixels, brotli: BROTLI };
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    this.#reply = new Promise((resolve, reject) => {
      this.#worker.once('message', resolve);
      this.#worker.once('error', reject);
      this.#worker.once('exit', () => reject(new Error('the hashing and packing worker stopped')));
    });
    // The parser stops awaiting this on a parse error, which must not crash the process.
    this.#reply.catch(() => undefined);
  }

  #bump(): void {
    Atomics.add(this.#ctrl, SEQ, 1);
    Atomics.notify(this.#ctrl, SEQ);
  }

  hash(i: number, n: number): void {
    this.#ctrl[LENGTHS + (i % RING)] = n;
    Atomics.store(this.#ctrl, PUBLISHED, i + 1);
    this.#bump();
  }

  free(i: number): Promise<void> | undefined {
    return Atomics.load(this.#ctrl, HASHED) > i - RING ? undefined : this.#waitFree(i);
  }

  async #waitFree(i: number): Promise<void> {
    for (let hashed; (hashed = Atomics.load(this.#ctrl, HASHED)) <= i - RING; ) {
      const wait = waitAsync(this.#ctrl, HASHED, hashed);
      if (wait.async) await Promise.race([wait.value, this.#reply]);
    }
  }

  parsed(pixels: Uint8Array, rows: number): void {
    if (pixels.buffer !== this.pixels?.buffer) return;
    Atomics.store(this.#ctrl, ROWS, rows);
    this.#bump();
  }

  async finish(pixels: Uint8Array): Promise<SideResult> {
    const rows = pixels.length / PIXELS;
    // All rows; or, if the parser outgrew the shared array (the file grew while read), the whole chunks of the
    // rows it last reported there.
    const shared = pixels.buffer === this.pixels?.buffer;
    const limit = shared ? rows : Math.floor(Atomics.load(this.#ctrl, ROWS) / CHUNK_IMAGES) * CHUNK_IMAGES;
    Atomics.store(this.#ctrl, ROWS, limit);
    Atomics.store(this.#ctrl, STATE, END);
    this.#bump();
    if (!this.pixels) return { sha256: (await this.#reply).sha256, packed: null };
    const packed: Buffer[] = [];
    for (let c; (c = Atomics.load(this.#ctrl, CLAIMED)) < chunkCount(limit); ) {
      if (Atomics.compareExchange(this.#ctrl, CLAIMED, c, c + 1) === c) packed[c] = packChunk(pixels, c);
    }
    const reply = await this.#reply;
    reply.chunks.forEach((c, k) => (packed[c] = Buffer.from(reply.packed[k].buffer, reply.packed[k].byteOffset, reply.packed[k].byteLength)));
    for (let c = chunkCount(limit); c < chunkCount(rows); c++) packed[c] = packChunk(pixels, c);
    return { sha256: reply.sha256, packed };
  }

  close(): void {
    void this.#worker.terminate();
  }
}
