// Pure list operations of the runs store, kept out of the .svelte.ts file: their Maps and Sets are scratch work
// inside one call, never state a component reads (svelte/prefer-svelte-reactivity flags them there).

import type { RunInfo } from '../../shared/runs.js';

/** `ids` once each, in first-seen order. */
export function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

/**
 * `rows` after fetching the runs `asked` again and getting `fresh`: the asked runs replaced (or dropped when the core
 * no longer has them), new ones joined in id order; one pass over the rows.
 */
export function mergeRefreshed(rows: readonly RunInfo[], asked: readonly number[], fresh: readonly RunInfo[]): RunInfo[] {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const askedIds = new Set(asked);
  const kept = rows.filter((r) => !askedIds.has(r.id) || byId.has(r.id)).map((r) => byId.get(r.id) ?? r);
  const known = new Set(kept.map((r) => r.id));
  const added = fresh.filter((r) => !known.has(r.id));
  return added.length ? [...kept, ...added].sort((a, b) => a.id - b.id) : kept;
}
