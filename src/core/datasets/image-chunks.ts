// How the images table stores pixels: one row per chunk of 1,024 images, the chunk's pixels brotli-compressed.
// Digits are ~80% zeros, so 42,000 images take ~8 MB instead of 33 MB: a quarter of the bytes for SQLite to write
// (the import's main cost) and to checkpoint. The parser has chunks packed while it still parses (csv-hash.ts).

import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants, type BrotliOptions } from 'node:zlib';
import { WorkbenchError } from '../../shared/errors.js';
import { PIXELS } from './mnist-digits.js';

export const CHUNK_IMAGES = 1024;

// Quality 0 packs 33 MB of digits to 8.1 MB in ~50 ms of one core; quality 1 saves 13% more for 50% more time.
// The output buffer holds a whole chunk, else async packing calls back to the main thread every 16 KiB (and
// sync packing loops as often).
export const BROTLI: BrotliOptions = {
  chunkSize: CHUNK_IMAGES * PIXELS + (64 << 10),
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 0,
    // A 256 KiB window: this data gains nothing from a bigger one, which only takes longer to set up per chunk.
    [constants.BROTLI_PARAM_LGWIN]: 18,
    [constants.BROTLI_PARAM_SIZE_HINT]: CHUNK_IMAGES * PIXELS,
  },
};

export function chunkCount(rows: number): number {
  return Math.ceil(rows / CHUNK_IMAGES);
}

function chunkPixels(pixels: Uint8Array, chunk: number): Uint8Array {
  return pixels.subarray(chunk * CHUNK_IMAGES * PIXELS, Math.min(pixels.length, (chunk + 1) * CHUNK_IMAGES * PIXELS));
}

/** A stored chunk's pixels: `count` × 784 bytes. */
export function unpackPixels(blob: Uint8Array, count: number): Buffer {
  const pixels = brotliDecompressSync(blob);
  if (pixels.length !== count * PIXELS) {
    throw new WorkbenchError('io', `the images table is damaged: a chunk of ${count} images holds ${pixels.length} bytes`);
  }
  return pixels;
}

/** The stored form of chunk `k` of `pixels` (rows × 784 bytes). */
export function packChunk(pixels: Uint8Array, k: number): Buffer {
  return brotliCompressSync(chunkPixels(pixels, k), BROTLI);
}

/** The stored form of every chunk of `pixels`, in order. */
export function packedChunks(pixels: Uint8Array): Buffer[] {
  return Array.from({ length: chunkCount(pixels.length / PIXELS) }, (_, k) => packChunk(pixels, k));
}

/** Packs whole chunks on the thread pool as the parser completes them. */
export class ChunkPacker {
  readonly #jobs: Promise<Buffer>[] = [];
  /** Rows already handed to a job. */
  #rows = 0;

  /** Starts a job for every whole chunk among the first `rows` rows of `pixels` (rows never change once parsed). */
  add(pixels: Uint8Array, rows: number): void {
    while (rows - this.#rows >= CHUNK_IMAGES) this.#start(pixels.subarray(this.#rows * PIXELS, (this.#rows + CHUNK_IMAGES) * PIXELS));
  }

  /** Packs the last, partial chunk of the final array and returns every chunk's stored form, in order. */
  async finish(pixels: Uint8Array): Promise<Buffer[]> {
    if (pixels.length > this.#rows * PIXELS) this.#start(pixels.subarray(this.#rows * PIXELS));
    return Promise.all(this.#jobs);
  }

  #start(part: Uint8Array): void {
    const job = new Promise<Buffer>((resolve, reject) =>
      brotliCompress(part, BROTLI, (err, out) => (err ? reject(err) : resolve(out))),
    );
    job.catch(() => undefined); // an abandoned parse never awaits its jobs
    this.#jobs.push(job);
    this.#rows += part.length / PIXELS;
  }
}
