// The user's latest choices, kept across reloads: the preset and hyperparameters of the last run started, and the
// training and test sets last used. With the datasets present they make the forms' defaults, so New run and Export
// do not fall back to the bundled samples (easy to send the wrong file to Kaggle).

import type { Hyperparams } from '../../shared/hyperparams.js';
import type { DatasetInfo, DatasetKind } from '../../shared/types.js';
import type { KeyValueStore } from './selections.js';

const KEY = 'digit-workbench.prefs';

/** A dataset the user chose, and the highest dataset id there was then (a later import is newer data). */
export interface DatasetChoice {
  id: number;
  seen: number;
}

export interface Prefs {
  preset?: string;
  hyperparams?: Hyperparams;
  train?: DatasetChoice;
  test?: DatasetChoice;
  /** The model last picked in Draw. */
  drawRun?: number;
}

export function readPrefs(store: KeyValueStore): Prefs {
  try {
    const value: unknown = JSON.parse(store.getItem(KEY) ?? '{}');
    return value && typeof value === 'object' ? (value as Prefs) : {};
  } catch {
    // An unreadable entry only loses the remembered defaults.
    return {};
  }
}

export function savePrefs(store: KeyValueStore, patch: Prefs): void {
  store.setItem(KEY, JSON.stringify({ ...readPrefs(store), ...patch }));
}

/** Remembers `id` as the user's choice among `list`. */
export function choiceOf(list: DatasetInfo[], id: number): DatasetChoice {
  return { id, seen: Math.max(id, ...list.map((d) => d.id)) };
}

/**
 * The dataset a form opens on: the user's last choice while it exists (a set imported or saved since is offered by
 * `newerDataset`, never switched to silently); with no choice, the newest imported one; the bundled sample only
 * when nothing else is there.
 */
export function pickDataset(list: DatasetInfo[], kind: DatasetKind, choice?: DatasetChoice): DatasetInfo | null {
  const ofKind = list.filter((d) => d.kind === kind);
  const chosen = choice && ofKind.find((d) => d.id === choice.id);
  if (chosen) return chosen;
  const newest = ofKind.filter((d) => d.source !== 'sample').sort((a, b) => b.id - a.id)[0];
  return newest ?? ofKind[0] ?? null;
}

/** The newest set of `kind` added after the user made `choice` (an import, a dataset version), to offer by name. */
export function newerDataset(list: DatasetInfo[], kind: DatasetKind, choice?: DatasetChoice): DatasetInfo | null {
  if (!choice) return null;
  return list.filter((d) => d.kind === kind && d.id > choice.seen && d.id !== choice.id).sort((a, b) => b.id - a.id)[0] ?? null;
}
