// Streams a Kaggle Digit Recognizer CSV (train.csv / test.csv) into pixel and label bytes in one pass: a
// byte-level state machine validates every field strictly while sha256 hashes the same chunks and the images
// are packed (csv-hash.ts).

import { open, type FileHandle } from 'node:fs/promises';
import { badInput, WorkbenchError } from '../../shared/errors.js';
import { sideWork, type SideWork } from './csv-hash.js';
import { describe, Stop, type DatasetKind } from './csv-errors.js';
import { Machine } from './csv-machine.js';

export type { DatasetKind } from './csv-errors.js';

export interface ParsedCsv {
  kind: DatasetKind;
  rows: number;
  /** rows × 784 bytes (a view: mind byteOffset/byteLength when handing on its buffer). */
  pixels: Uint8Array;
  /** One per row; null for test.csv. */
  labels: Uint8Array | null;
  /** Hex sha256 of the raw file bytes. */
  sha256: string;
  bytes: number;
  /** The images already in their stored form (packed while parsing), unless `pack: false`. */
  packed: Buffer[] | null;
}

export interface ParseOptions {
  /** The kind the caller expects; a file of the other kind is then an error at line 1. */
  kind?: DatasetKind;
  /** Name used in error messages instead of the path. */
  displayName?: string;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /**
   * Pack the pixels for the images table while parsing (default true), so that insertDataset of the returned
   * `pixels` finds them packed. Off for callers that never store the rows.
   */
  pack?: boolean;
}

// 1 MiB reads: big enough that the per-read await is noise, small enough to stay in L2/L3 while parsed.
const CHUNK = 1 << 20;


/** Parses and validates the whole file; any defect is a bad-input error `FILE:LINE:COLUMN: what is wrong`. */
export async function parseKaggleCsv(file: string, opts: ParseOptions = {}): Promise<ParsedCsv> {
  const name = opts.displayName ?? file;
  opts.signal?.throwIfAborted();
  const handle = await openCsv(file, name);
  let pending: Promise<{ bytesRead: number }> | undefined;
  let machine: Machine | undefined;
  let side: SideWork | undefined;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw badInput(`${name}: not a regular file`, { file: name });
    const total = stat.size;
    side = sideWork(total, { chunkBytes: CHUNK, pack: opts.pack !== false });
    machine = new Machine(opts.kind, total, side.pixels);
    const bufs = side.buffers;
    let pos = 0;
    pending = handle.read(bufs[0], 0, CHUNK, 0);
    for (let i = 0; ; i++) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      opts.signal?.throwIfAborted();
      const cur = bufs[i % bufs.length];
      const base = pos;
      pos += bytesRead;
      // The next read runs while this chunk is hashed (on the worker) and parsed (here).
      side.hash(i, bytesRead);
      const free = side.free(i + 1);
      if (free) await free;
      pending = handle.read(bufs[(i + 1) % bufs.length], 0, CHUNK, pos);
      machine.feed(cur, bytesRead, base);
      side.parsed(machine.pixels, machine.rows);
      opts.onProgress?.(pos, Math.max(total, pos));
    }
    machine.finish();
    const result = machine.result();
    const { sha256, packed } = await side.finish(result.pixels);
    return { ...result, sha256, bytes: pos, packed };
  } catch (err) {
    await pending?.catch(() => undefined);
    if (err instanceof Stop) throw await describe(err, machine!, handle, name);
    // File-system failures mid-read (EIO, EISDIR…) still name the file; aborts and our own errors pass through.
    const code = (err as NodeJS.ErrnoException).code;
    if (!(err instanceof WorkbenchError) && err instanceof Error && typeof code === 'string' && code !== 'ABORT_ERR') {
      throw badInput(`${name}: cannot read the file (${code})`, { file: name });
    }
    throw err;
  } finally {
    side?.close();
    await handle.close();
  }
}

async function openCsv(file: string, name: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw badInput(`${name}: cannot open the file (${why})`, { file: name });
  }
}
