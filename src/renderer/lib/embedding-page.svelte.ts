// One run's embedding map: the stored map shown at once (the one computed last, or for the parameters asked),
// Compute with the core's stage progress, and the map's digits as the inspector wants them.

import type { EmbeddingMap, EmbeddingStage } from '../../shared/embedding.js';
import type { RunDetail } from '../../shared/runs.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

export const STAGE_TITLES: Record<EmbeddingStage, string> = {
  activations: 'Penultimate-layer activations',
  neighbours: 'Nearest-neighbour graph',
  layout: 'UMAP layout',
};

export interface EmbeddingProgress {
  stage: EmbeddingStage;
  done: number;
  total: number;
}

export class EmbeddingPage {
  readonly id: number;
  #detail = $state.raw<RunDetail | null>(null);
  readonly #stored = new Remote<EmbeddingMap | null>({ loading: true });
  readonly #computed = new Remote<EmbeddingMap>();
  #progress = $state.raw<EmbeddingProgress | null>(null);

  constructor(id: number) {
    this.id = id;
  }

  get detail(): RunDetail | null {
    return this.#detail;
  }
  /** The map on screen: the one just computed, else the stored one. */
  get map(): EmbeddingMap | null {
    return this.#computed.value ?? this.#stored.value;
  }
  get loading(): boolean {
    return this.#stored.loading;
  }
  get error(): string | null {
    return this.#stored.error;
  }
  get computing(): boolean {
    return this.#computed.loading;
  }
  get computeError(): string | null {
    return this.#computed.error;
  }
  get progress(): EmbeddingProgress | null {
    return this.#progress;
  }

  async load(): Promise<void> {
    await this.#stored.run(async () => {
      const [detail, map] = await Promise.all([api.call('runs:get', { id: this.id }), api.call('embedding:get', { id: this.id })]);
      this.#detail = detail;
      return map;
    });
  }

  async compute(params: { neighbors: number; seed: number }): Promise<void> {
    this.#progress = null;
    const off = api.onEvent((e) => {
      if (e.type === 'embedding:progress' && e.runId === this.id) this.#progress = { stage: e.stage, done: e.done, total: e.total };
    });
    try {
      await this.#computed.run(() => api.call('embedding:compute', { id: this.id, ...params }), { keep: true });
    } finally {
      off();
      this.#progress = null;
    }
  }
}
