// How the CLI reads a reference: a number is an id, an existing path is a file, anything else a unique name.

import { existsSync, statSync } from 'node:fs';
import { notFound } from '../shared/errors.js';
import type { Workbench } from '../core/workbench.js';
import { findDatasetByName, getDataset } from '../core/datasets/repo.js';
import type { DatasetInfo } from '../shared/types.js';

export type Ref = { kind: 'id'; id: number } | { kind: 'file'; path: string } | { kind: 'name'; name: string };

export function classify(ref: string): Ref {
  if (/^\d+$/.test(ref)) return { kind: 'id', id: Number(ref) };
  if (existsSync(ref) && statSync(ref).isFile()) return { kind: 'file', path: ref };
  return { kind: 'name', name: ref };
}

/** A dataset by id or name; with `allowFile`, a CSV path is imported first (or found, if imported before). */
export async function resolveDataset(wb: Workbench, ref: string, opts: { allowFile?: boolean } = {}): Promise<DatasetInfo> {
  const r = classify(ref);
  if (r.kind === 'id') return getDataset(wb.db, r.id);
  if (r.kind === 'file' && opts.allowFile) return (await wb.importDataset({ path: r.path })).dataset;
  const name = r.kind === 'name' ? r.name : r.path;
  const found = findDatasetByName(wb.db, name);
  if (!found) throw notFound(`no dataset named "${name}" (see: digit-workbench datasets)`);
  return found;
}
