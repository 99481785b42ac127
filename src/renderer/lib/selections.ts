// What Errors, Embedding, Compare and Diff show when opened without runs in the address (from the sidebar, after a detour):
// the user's last selection there, kept across reloads, while its runs still exist; else the latest completed
// run(s) instead of an empty "Choose a run…".

import type { RunInfo } from '../../shared/runs.js';
import { analysable } from './analysis-runs.js';
import type { Route } from './router.svelte.js';

const KEY = 'digit-workbench.selections';

interface Remembered {
  errors?: number;
  embedding?: number;
  compare?: number[];
  diff?: [number, number];
}

/** The part of Web Storage used here (localStorage in the app, a map in tests). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

function read(store: KeyValueStore): Remembered {
  try {
    const value: unknown = JSON.parse(store.getItem(KEY) ?? '{}');
    return value && typeof value === 'object' ? (value as Remembered) : {};
  } catch {
    // A hand-edited or old entry is not worth an error: the views fall back to the latest runs.
    return {};
  }
}

/** Keeps the selection a route shows. */
export function remember(store: KeyValueStore, route: Route): void {
  const saved = read(store);
  if (route.view === 'errors' && route.id) saved.errors = route.id;
  else if (route.view === 'embedding' && route.id) saved.embedding = route.id;
  else if (route.view === 'compare') saved.compare = route.ids;
  else if (route.view === 'diff' && route.a && route.b) saved.diff = [route.a, route.b];
  else return;
  store.setItem(KEY, JSON.stringify(saved));
}

/** Newest first: completed runs before stopped or interrupted ones with validated epochs. */
function latest(list: RunInfo[]): RunInfo[] {
  const done = analysable(list);
  return [...done.filter((r) => r.status === 'completed'), ...done.filter((r) => r.status !== 'completed')];
}

/**
 * The route to open instead of a view's bare address, or null to keep it: the last selection whose runs all
 * still exist, else the latest completed run (Errors, Embedding), the latest two (Compare) or the latest two on one
 * dataset (Diff, which needs the same validation images).
 */
export function openRoute(route: Route, list: RunInfo[], store: KeyValueStore): Route | null {
  const exists = (id: number) => list.some((r) => r.id === id);
  const saved = read(store);
  const candidates = latest(list);
  if (route.view === 'errors' && !route.id) {
    const id = saved.errors && exists(saved.errors) ? saved.errors : candidates[0]?.id;
    return id ? { view: 'errors', id } : null;
  }
  if (route.view === 'embedding' && !route.id) {
    const id = saved.embedding && exists(saved.embedding) ? saved.embedding : candidates[0]?.id;
    return id ? { view: 'embedding', id } : null;
  }
  if (route.view === 'compare' && route.ids.length === 0) {
    const kept = saved.compare?.filter(exists) ?? [];
    const ids = kept.length ? kept : candidates.slice(0, 2).map((r) => r.id).sort((a, b) => a - b);
    return ids.length ? { view: 'compare', ids } : null;
  }
  if (route.view === 'diff' && !route.a && !route.b) {
    if (saved.diff && saved.diff.every(exists)) return { view: 'diff', a: saved.diff[0], b: saved.diff[1] };
    const newest = candidates[0];
    const partner = newest && candidates.find((r) => r.id !== newest.id && r.datasetId === newest.datasetId);
    return newest && partner ? { view: 'diff', a: partner.id, b: newest.id } : null;
  }
  return null;
}
