// What makes a folder a model export of this app: model.json, weights.bin and a marker file naming the app, the
// run and the epoch. `--force` replaces such a folder and nothing else (a path is the user's).

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict } from '../../shared/errors.js';
import type { WeightsSlot } from '../../shared/trainer-protocol.js';
import { appVersion } from '../version.js';

export const MODEL_MARKER = '.digit-workbench-model.json';
export const MODEL_FILES = ['model.json', 'weights.bin', MODEL_MARKER] as const;
const APP = 'digit-workbench';

export function modelMarker(opts: { runId: number; weights: WeightsSlot; epoch: number }): string {
  const marker = { app: APP, version: appVersion(), run: opts.runId, weights: opts.weights, epoch: opts.epoch, files: MODEL_FILES, exportedAt: new Date().toISOString() };
  return `${JSON.stringify(marker, null, 2)}\n`;
}

function markerNamesUs(file: string): boolean {
  try {
    if (lstatSync(file).size > 64 * 1024) return false; // ours is a few hundred bytes
    return (JSON.parse(readFileSync(file, 'utf8')) as { app?: unknown }).app === APP;
  } catch {
    return false;
  }
}

/**
 * Throws unless `folder` holds nothing but a previous export (or nothing at all: an empty folder has nothing to
 * lose). The first foreign entry is named so the user sees what would have been lost; its contents are never read.
 */
export function assertPreviousExport(folder: string): void {
  const keep = 'it is not replaced: choose another folder, or move its files away first';
  const stat = lstatSync(folder);
  if (stat.isSymbolicLink()) throw conflict(`${folder} is a symbolic link, not a model folder Digit Workbench wrote: ${keep}`);
  if (!stat.isDirectory()) throw conflict(`${folder} is a file, not a model folder Digit Workbench wrote: ${keep}`);
  const names = readdirSync(folder).sort();
  const known: readonly string[] = MODEL_FILES;
  const foreign = names.find((name) => !known.includes(name) || !lstatSync(join(folder, name)).isFile());
  if (foreign !== undefined) throw conflict(`${folder} holds ${foreign}, which Digit Workbench did not write: ${keep}`, { path: folder, foreign });
  if (names.length === 0) return;
  if (!names.includes(MODEL_MARKER)) throw conflict(`${folder} has no ${MODEL_MARKER}: it is not a model export Digit Workbench wrote, so ${keep}`, { path: folder });
  if (!markerNamesUs(join(folder, MODEL_MARKER))) throw conflict(`${join(folder, MODEL_MARKER)} does not name Digit Workbench: ${keep}`, { path: folder });
}
