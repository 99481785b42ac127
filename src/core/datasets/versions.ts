// Dataset versions: a new dataset made from a labelled one with some rows relabelled and some left out. The parent
// is never modified; the version row records the parent and every change, so a run's data can be traced back.

import { createHash } from 'node:crypto';
import type { Db } from '../db/open.js';
import { badInput } from '../../shared/errors.js';
import type { DatasetVersionChanges, DatasetVersionInfo } from '../../shared/labels.js';
import type { DatasetInfo } from '../../shared/types.js';
import { findDatasetBySha, getDataset, insertDataset, loadDatasetArrays, uniqueName } from './repo.js';
import { PIXELS } from './mnist-digits.js';

export interface VersionRequest {
  parentId: number;
  relabels: { row: number; label: number }[];
  excludes: number[];
  name?: string;
}

function checkRow(row: number, rows: number, field: string): void {
  if (!Number.isInteger(row) || row < 1 || row > rows) throw badInput(`${field}: row must be 1–${rows}, got ${row}`);
}

/** Creates the version (or returns an identical one made before, with existing: true). */
export function createDatasetVersion(db: Db, req: VersionRequest): { dataset: DatasetInfo; existing: boolean } {
  const parent = getDataset(db, req.parentId);
  if (parent.kind !== 'train') throw badInput(`id: dataset ${parent.id} "${parent.name}" is a test set: only labelled datasets have versions`);
  if (req.relabels.length === 0 && req.excludes.length === 0) throw badInput('relabels/excludes: a version needs at least one relabel or exclusion');
  const { pixels, labels, rows } = loadDatasetArrays(db, parent.id);
  if (!labels) throw badInput(`id: dataset ${parent.id} has no labels`);
  const touched = new Set<number>();
  const once = (row: number, field: string) => {
    if (touched.has(row)) throw badInput(`${field}: row ${row} is relabelled or excluded twice`);
    touched.add(row);
  };
  const newLabels = labels.slice();
  const relabels: DatasetVersionChanges['relabels'] = [];
  for (const { row, label } of req.relabels) {
    checkRow(row, rows, 'relabels');
    if (!Number.isInteger(label) || label < 0 || label > 9) throw badInput(`relabels: label of row ${row} must be 0–9, got ${label}`);
    once(row, 'relabels');
    if (labels[row - 1] === label) throw badInput(`relabels: row ${row} is already labelled ${label}`);
    relabels.push({ row, from: labels[row - 1], to: label });
    newLabels[row - 1] = label;
  }
  const excluded = new Uint8Array(rows);
  for (const row of req.excludes) {
    checkRow(row, rows, 'excludes');
    once(row, 'excludes');
    excluded[row - 1] = 1;
  }
  const kept = rows - req.excludes.length;
  if (kept < 2) throw badInput(`excludes: a version needs at least 2 rows, this one would keep ${kept}`);
  const outPixels = new Uint8Array(kept * PIXELS);
  const outLabels = new Uint8Array(kept);
  for (let i = 0, k = 0; i < rows; i++) {
    if (excluded[i]) continue;
    outPixels.set(pixels.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    outLabels[k++] = newLabels[i];
  }
  // The content decides identity, as for imports: the same changes again give the same dataset.
  const sha256 = createHash('sha256').update('version:').update(outPixels).update(outLabels).digest('hex');
  const same = findDatasetBySha(db, sha256);
  if (same) return { dataset: same, existing: true };
  const changes: DatasetVersionChanges = { relabels: relabels.sort((a, b) => a.row - b.row), excludes: [...req.excludes].sort((a, b) => a - b) };
  const dataset = db.transaction(() => {
    const info = insertDataset(db, {
      name: req.name ?? uniqueName(db, `${parent.name} v2`),
      kind: 'train',
      source: `version of dataset ${parent.id}`,
      sha256,
      pixels: outPixels,
      labels: outLabels,
    });
    db.prepare('INSERT INTO dataset_versions (dataset_id, parent_id, parent_name, parent_sha256, relabels, excludes) VALUES (?, ?, ?, ?, ?, ?)').run(
      info.id,
      parent.id,
      parent.name,
      parent.sha256,
      JSON.stringify(changes.relabels),
      JSON.stringify(changes.excludes),
    );
    return info;
  }).immediate();
  return { dataset, existing: false };
}

/** What the dataset was made from, or null for an imported one. */
export function datasetVersionOf(db: Db, id: number): DatasetVersionInfo | null {
  const r = db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ?').get(id) as
    | { parent_id: number | null; parent_name: string; parent_sha256: string; relabels: string; excludes: string }
    | undefined;
  if (!r) return null;
  return {
    parentId: r.parent_id,
    parentName: r.parent_name,
    parentSha256: r.parent_sha256,
    relabels: JSON.parse(r.relabels) as DatasetVersionInfo['relabels'],
    excludes: JSON.parse(r.excludes) as number[],
  };
}
