// Datasets travel by content: the owner publishes a dataset's pixels and labels once, compressed, under the
// sha256 of its CSV; a worker fetches them and checks the sha256 of what arrived against the one in the job.

import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { WorkbenchError } from '../../shared/errors.js';
import { BROTLI } from '../datasets/image-chunks.js';
import { keys } from './keys.js';

export interface DatasetRef {
  sha256: string;
  rows: number;
  /** sha256 of the pixels then the labels, as the worker must find them. */
  content: string;
}

export function contentHash(pixels: Uint8Array, labels: Uint8Array): string {
  return createHash('sha256').update(pixels).update(labels).digest('hex');
}

/** Publishes the dataset unless Redis already holds it (a seed group of 50 runs sends it once). */
export async function publishDataset(redis: Redis, sha256: string, pixels: Uint8Array, labels: Uint8Array): Promise<DatasetRef> {
  const ref: DatasetRef = { sha256, rows: labels.length, content: contentHash(pixels, labels) };
  const key = keys.dataset(sha256);
  if ((await redis.hexists(key, 'content')) === 1) return ref;
  const packed = brotliCompressSync(pixels, BROTLI);
  // HSETNX on the marker field last: a half-written hash is never taken for a published one.
  await redis.hset(key, { pixels: packed, labels: Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength), rows: String(ref.rows) });
  await redis.hsetnx(key, 'content', ref.content);
  return ref;
}

export async function fetchDataset(redis: Redis, ref: DatasetRef): Promise<{ pixels: Uint8Array; labels: Uint8Array }> {
  const h = await redis.hgetallBuffer(keys.dataset(ref.sha256));
  if (!h.pixels || !h.labels || !h.content) {
    throw new WorkbenchError('not-found', `dataset ${ref.sha256.slice(0, 12)}… is not in Redis (was it flushed?); resume the run from the owner to publish it again`);
  }
  let pixels: Uint8Array;
  try {
    pixels = new Uint8Array(brotliDecompressSync(h.pixels));
  } catch (err) {
    throw new WorkbenchError('bad-input', `dataset ${ref.sha256.slice(0, 12)}… arrived damaged: ${(err as Error).message}`);
  }
  const labels = new Uint8Array(h.labels);
  const got = contentHash(pixels, labels);
  if (got !== ref.content || labels.length !== ref.rows) {
    throw new WorkbenchError(
      'bad-input',
      `dataset ${ref.sha256.slice(0, 12)}… from Redis does not match the run's: its content hashes to ${got.slice(0, 12)}… (${labels.length} rows), the run expects ${ref.content.slice(0, 12)}… (${ref.rows} rows)`,
    );
  }
  return { pixels, labels };
}
