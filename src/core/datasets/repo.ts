// Dataset rows and their images in SQLite. Inserts run in one transaction: a dataset appears whole or not at all.

import type { Db } from '../db/open.js';
import { conflict, notFound } from '../../shared/errors.js';
import type { DatasetDetail, DatasetInfo, DatasetKind, ImageRecord } from '../../shared/types.js';
import { PIXELS } from './mnist-digits.js';

interface DatasetRow {
  id: number;
  name: string;
  kind: DatasetKind;
  rows: number;
  sha256: string;
  source: string;
  has_answers: number;
  created_at: string;
}

function toInfo(row: DatasetRow): DatasetInfo {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    rows: row.rows,
    sha256: row.sha256,
    source: row.source,
    hasAnswers: row.has_answers === 1,
    createdAt: row.created_at,
  };
}

export interface NewDataset {
  name: string;
  kind: DatasetKind;
  source: string;
  sha256: string;
  pixels: Uint8Array;
  /** Train labels, or a test set's known answers (then hasAnswers). */
  labels: Uint8Array | null;
  hasAnswers?: boolean;
}

export function listDatasets(db: Db): DatasetInfo[] {
  return (db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toInfo);
}

export function findDataset(db: Db, id: number): DatasetInfo | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row && toInfo(row);
}

export function getDataset(db: Db, id: number): DatasetInfo {
  const found = findDataset(db, id);
  if (!found) throw notFound(`no dataset with id ${id}`);
  return found;
}

export function findDatasetBySha(db: Db, sha256: string): DatasetInfo | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE sha256 = ?').get(sha256) as DatasetRow | undefined;
  return row && toInfo(row);
}

export function findDatasetByName(db: Db, name: string): DatasetInfo | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRow | undefined;
  return row && toInfo(row);
}

/** "train", then "train (2)", "train (3)" … */
export function uniqueName(db: Db, base: string): string {
  if (!findDatasetByName(db, base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!findDatasetByName(db, candidate)) return candidate;
  }
}

export function datasetDetail(db: Db, id: number): DatasetDetail {
  const info = getDataset(db, id);
  let classCounts: number[] | null = null;
  if (info.kind === 'train' || info.hasAnswers) {
    classCounts = new Array<number>(10).fill(0);
    const rows = db.prepare('SELECT label, COUNT(*) AS n FROM images WHERE dataset_id = ? GROUP BY label').all(id) as {
      label: number;
      n: number;
    }[];
    for (const { label, n } of rows) classCounts[label] = n;
  }
  return { ...info, classCounts };
}

export function insertDataset(db: Db, data: NewDataset): DatasetInfo {
  const rows = data.pixels.length / PIXELS;
  const insert = db.transaction(() => {
    if (findDatasetByName(db, data.name)) throw conflict(`a dataset named "${data.name}" exists already`);
    const { lastInsertRowid } = db
      .prepare('INSERT INTO datasets (name, kind, rows, sha256, source, has_answers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(data.name, data.kind, rows, data.sha256, data.source, data.hasAnswers ? 1 : 0, new Date().toISOString());
    const id = Number(lastInsertRowid);
    const image = db.prepare('INSERT INTO images (dataset_id, idx, label, pixels) VALUES (?, ?, ?, ?)');
    const bytes = Buffer.from(data.pixels.buffer, data.pixels.byteOffset, data.pixels.byteLength);
    for (let i = 0; i < rows; i++) {
      image.run(id, i, data.labels ? data.labels[i] : null, bytes.subarray(i * PIXELS, (i + 1) * PIXELS));
    }
    return id;
  });
  return getDataset(db, insert.immediate());
}

export function renameDataset(db: Db, id: number, name: string): DatasetInfo {
  getDataset(db, id);
  const other = findDatasetByName(db, name);
  if (other && other.id !== id) throw conflict(`a dataset named "${name}" exists already (id ${other.id})`);
  db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
  return getDataset(db, id);
}

export function deleteDataset(db: Db, id: number): void {
  const info = getDataset(db, id);
  const runs = db.prepare('SELECT id FROM runs WHERE dataset_id = ? ORDER BY id').pluck().all(id) as number[];
  if (runs.length > 0) {
    throw conflict(`dataset "${info.name}" is used by run${runs.length > 1 ? 's' : ''} ${runs.join(', ')}: delete those first`, {
      runs,
    });
  }
  db.transaction(() => {
    db.prepare('DELETE FROM submissions WHERE dataset_id = ?').run(id);
    db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  }).immediate();
}

/** A page of images; test-set answers never leave the core. */
export function datasetImages(
  db: Db,
  opts: { id: number; offset: number; limit: number; label?: number },
): { total: number; images: ImageRecord[] } {
  const info = getDataset(db, opts.id);
  const hideLabels = info.kind === 'test';
  if (opts.label !== undefined && hideLabels) return { total: 0, images: [] };
  const where = opts.label === undefined ? 'dataset_id = ?' : 'dataset_id = ? AND label = ?';
  const params = opts.label === undefined ? [opts.id] : [opts.id, opts.label];
  const total = db.prepare(`SELECT COUNT(*) FROM images WHERE ${where}`).pluck().get(...params) as number;
  const rows = db
    .prepare(`SELECT idx, label, pixels FROM images WHERE ${where} ORDER BY idx LIMIT ? OFFSET ?`)
    .all(...params, opts.limit, opts.offset) as { idx: number; label: number | null; pixels: Buffer }[];
  return {
    total,
    images: rows.map((r) => ({ idx: r.idx, label: hideLabels ? null : r.label, pixels: r.pixels.toString('base64') })),
  };
}

/** All pixels and labels of a dataset in file order, for training and prediction. */
export function loadDatasetArrays(db: Db, id: number): { pixels: Uint8Array; labels: Uint8Array | null; rows: number } {
  const info = getDataset(db, id);
  const pixels = new Uint8Array(info.rows * PIXELS);
  const labels = info.kind === 'train' || info.hasAnswers ? new Uint8Array(info.rows) : null;
  const stmt = db.prepare('SELECT idx, label, pixels FROM images WHERE dataset_id = ? ORDER BY idx').raw(true);
  for (const [idx, label, px] of stmt.iterate(id) as Iterable<[number, number | null, Buffer]>) {
    pixels.set(px, idx * PIXELS);
    if (labels && label !== null) labels[idx] = label;
  }
  return { pixels, labels, rows: info.rows };
}
