// The serve-mode connection state for the "connection lost" banner, and a hook for stores to reload after a
// reconnect (events sent while the socket was down are lost).

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
