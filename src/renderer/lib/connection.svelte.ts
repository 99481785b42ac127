// The serve-mode connection state for the "connection lost" banner, and a hook for stores to reload after a
// reconnect (events sent while the socket was down are lost).

import { onMount } from 'svelte';
import { api, type ConnectionState } from './api.js';

class Connection {
  #state = $state<ConnectionState>(api.state());
  #lost = $state(false);
  readonly #reconnected = new Set<() => void>();

  constructor() {
    api.onState((next) => {
      this.#state = next;
      if (next === 'closed') this.#lost = true;
      if (next === 'open' && this.#lost) {
        this.#lost = false;
        for (const fn of this.#reconnected) fn();
      }
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** True from a lost connection until it is open again. */
  get lost(): boolean {
    return this.#lost;
  }

  onReconnect(fn: () => void): () => void {
    this.#reconnected.add(fn);
    return () => this.#reconnected.delete(fn);
  }
}

export const connection = new Connection();

/**
 * For a component's read in an `$effect`: a counter the effect reads (`void reread.count`), raised when the connection
 * comes back while `failed()` says the last read failed, so the effect reads again instead of keeping the outage's
 * error. Call it while the component initialises.
 */
export function readAgainOnReconnect(failed: () => boolean): { readonly count: number } {
  let count = $state(0);
  onMount(() => connection.onReconnect(() => {
    if (failed()) count++;
  }));
  return {
    get count() {
      return count;
    },
  };
}
