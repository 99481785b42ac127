// The embedding map of a run: its validation digits through the best weights to the penultimate layer, laid out in
// 2-D by a seeded UMAP in a trainer process, stored per (run, neighbours, seed) so reopening the map is instant.

import type { Db } from '../db/open.js';
import { argmaxRows } from '../../shared/digits.js';
import { conflict } from '../../shared/errors.js';
import { DEFAULT_EMBEDDING_SEED, DEFAULT_NEIGHBORS, type EmbeddingMap, type EmbeddingStage } from '../../shared/embedding.js';
import { loadDatasetArrays } from '../datasets/repo.js';
import { requireCheckpoint } from '../inference/model-export.js';
import type { PredictContext } from '../inference/predictions.js';
import { splitIndices } from '../training/split.js';
import { getRunDetail } from '../training/runs-repo.js';
import { digitItem } from './errors.js';
import type { ValSet } from './val-set.js';

export interface EmbeddingParams {
  runId: number;
  neighbors?: number;
  seed?: number;
}

interface Row {
  neighbors: number;
  seed: number;
  epoch: number;
  width: number;
  backend: string;
  indices: Buffer;
  coords: Buffer;
  probs: Buffer;
  computed_at: string;
}

const floats = (b: Buffer) => new Float32Array(new Uint8Array(b).buffer);
const blob = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Points with their pictures, labels and the predictions of the weights the map was computed from. */
function toMap(db: Db, runId: number, r: Row): EmbeddingMap {
  const run = getRunDetail(db, runId);
  const data = loadDatasetArrays(db, run.datasetId);
  const indices = new Int32Array(new Uint8Array(r.indices).buffer);
  const probs = floats(r.probs);
  const coords = floats(r.coords);
  const set: ValSet = {
    runId,
    datasetId: run.datasetId,
    epoch: r.epoch,
    indices,
    probs,
    labels: Uint8Array.from(indices, (i) => data.labels![i]),
    predicted: argmaxRows(probs),
  };
  const points = Array.from(indices, (_, k) => ({ ...digitItem(set, k, data.pixels), x: coords[k * 2], y: coords[k * 2 + 1] }));
  return { runId, epoch: r.epoch, neighbors: r.neighbors, seed: r.seed, width: r.width, backend: r.backend, computedAt: r.computed_at, points };
}

/** The stored map for the run's current best weights: with these parameters, else the latest computed; or null. */
export function storedEmbedding(db: Db, p: EmbeddingParams): EmbeddingMap | null {
  getRunDetail(db, p.runId); // a missing run is "not found", not "no map"
  const epoch = db.prepare("SELECT epoch FROM checkpoints WHERE run_id = ? AND slot = 'best'").pluck().get(p.runId) as number | undefined;
  if (epoch === undefined) return null;
  const where = ['run_id = ?', 'epoch = ?'];
  const args: number[] = [p.runId, epoch];
  if (p.neighbors !== undefined) {
    where.push('neighbors = ?');
    args.push(p.neighbors);
  }
  if (p.seed !== undefined) {
    where.push('seed = ?');
    args.push(p.seed);
  }
  const row = db.prepare(`SELECT * FROM embeddings WHERE ${where.join(' AND ')} ORDER BY computed_at DESC, rowid DESC LIMIT 1`).get(...args) as Row | undefined;
  return row ? toMap(db, p.runId, row) : null;
}

export async function computeEmbedding(
  ctx: PredictContext,
  p: EmbeddingParams & { onProgress?: (stage: EmbeddingStage, done: number, total: number) => void },
): Promise<EmbeddingMap> {
  const neighbors = p.neighbors ?? DEFAULT_NEIGHBORS;
  const seed = p.seed ?? DEFAULT_EMBEDDING_SEED;
  const run = getRunDetail(ctx.db, p.runId);
  const checkpoint = requireCheckpoint(ctx.db, p.runId, 'best');
  const data = loadDatasetArrays(ctx.db, run.datasetId);
  if (!data.labels) throw conflict(`run ${p.runId} trained on a dataset without labels`);
  // The run's own split, exactly as its trainer was given it.
  const hp = run.hyperparams;
  const val = splitIndices(data.labels, { ...hp.validation, seed: hp.seed }).val;
  if (val.length <= neighbors) {
    throw conflict(`run ${p.runId} has ${val.length} validation digits: a map with ${neighbors} neighbours needs more (lower --neighbors or validate on more digits)`);
  }
  const pixels = new Uint8Array(val.length * 784);
  val.forEach((idx, k) => pixels.set(data.pixels.subarray(idx * 784, (idx + 1) * 784), k * 784));
  const reply = await ctx.client.request(
    { type: 'embed', model: hp.model, checkpoint, pixels, neighbors, seed, backend: ctx.backend },
    'embedded',
    (done, total, stage) => p.onProgress?.((stage ?? 'activations') as EmbeddingStage, done, total),
  );
  const row: Row = {
    neighbors,
    seed,
    epoch: checkpoint.epoch,
    width: reply.width,
    backend: reply.backend,
    indices: blob(val),
    coords: blob(reply.coords),
    probs: blob(reply.probs),
    computed_at: new Date().toISOString(),
  };
  ctx.db
    .prepare(
      `INSERT OR REPLACE INTO embeddings (run_id, neighbors, seed, epoch, width, backend, indices, coords, probs, computed_at)
       VALUES (@runId, @neighbors, @seed, @epoch, @width, @backend, @indices, @coords, @probs, @computed_at)`,
    )
    .run({ runId: p.runId, ...row });
  // Built from what was computed: a run still training may have a newer best checkpoint by now.
  return toMap(ctx.db, p.runId, row);
}
