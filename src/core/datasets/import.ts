// Import a Kaggle train.csv/test.csv: parse and validate everything first, then write the dataset in one
// transaction, so a bad file leaves nothing behind. An identical file (same sha256) returns the existing dataset.

import { basename, extname } from 'node:path';
import type { Db } from '../db/open.js';
import type { DatasetKind, ImportResult } from '../../shared/types.js';
import { parseKaggleCsv, type ParsedCsv } from './csv-parser.js';
import { findDatasetBySha, insertDataset, uniqueName } from './repo.js';

export interface ImportOptions {
  path: string;
  name?: string;
  kind?: DatasetKind;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** How the file is named in messages (an upload's original name rather than its temp path). */
  displayName?: string;
  /** Where the data came from, as recorded on the dataset (default: the path). */
  source?: string;
}

export async function importCsv(db: Db, opts: ImportOptions): Promise<ImportResult> {
  return storeImport(db, await parseForImport(opts), opts);
}

/**
 * The first half of importCsv, which needs no store: a caller that still has to open one (the CLI) starts this
 * first, so that the parse's worker thread starts up while the store opens.
 */
export function parseForImport(opts: ImportOptions & { signal?: AbortSignal }): Promise<ParsedCsv> {
  return parseKaggleCsv(opts.path, {
    kind: opts.kind,
    displayName: opts.displayName ?? opts.path,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

/** The second half of importCsv: stores a parsed file, unless an identical one is there already. */
export function storeImport(db: Db, parsed: ParsedCsv, opts: ImportOptions): ImportResult {
  const existing = findDatasetBySha(db, parsed.sha256);
  if (existing) return { dataset: existing, existing: true };
  const fileName = opts.displayName ?? opts.path;
  const name = opts.name ?? uniqueName(db, basename(fileName, extname(fileName)) || 'dataset');
  const dataset = insertDataset(db, {
    name,
    kind: parsed.kind,
    source: opts.source ?? opts.path,
    sha256: parsed.sha256,
    pixels: parsed.pixels,
    labels: parsed.labels,
    packed: parsed.packed,
  });
  return { dataset, existing: false };
}
