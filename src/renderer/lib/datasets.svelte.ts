// Datasets state: the list (kept fresh by datasets:changed), rename/delete, and imports by upload or by path
// with their progress (upload bytes first, then the core's import:progress while it parses).

import type { DatasetInfo } from '../../shared/types.js';
import { api } from './api.js';
import { connection } from './connection.svelte.js';
import { count, message } from './format.js';
import { Remote } from './remote.svelte.js';

export interface ImportState {
  file: string;
  phase: 'uploading' | 'importing' | 'done' | 'failed';
  /** 0–1, or null while the size is unknown. */
  fraction: number | null;
  message: string | null;
}

/**
 * Where a dataset came from, in words: "bundled sample", the imported file, or "version of train" by the parent's
 * current name (the core records the parent's id; a renamed parent keeps its versions' subtitles right).
 */
export function sourceText(d: DatasetInfo, byId: (id: number) => DatasetInfo | undefined): string {
  if (d.source === 'sample') return 'bundled sample';
  const parent = /^version of dataset (\d+)$/.exec(d.source);
  if (!parent) return d.source;
  const found = byId(Number(parent[1]));
  return found ? `version of ${found.name}` : 'version of a deleted dataset';
}

class DatasetsStore {
  readonly #remote = new Remote<DatasetInfo[]>();
  #import = $state<ImportState | null>(null);
  #started = false;

  get #rows(): DatasetInfo[] {
    return this.#remote.value ?? [];
  }

  get list(): DatasetInfo[] {
    return this.#rows;
  }
  get trainSets(): DatasetInfo[] {
    return this.#rows.filter((d) => d.kind === 'train');
  }
  get loading(): boolean {
    return this.#remote.loading;
  }
  get loaded(): boolean {
    return this.#remote.loaded;
  }
  get error(): string | null {
    return this.#remote.error;
  }
  get importing(): ImportState | null {
    return this.#import;
  }

  byId(id: number): DatasetInfo | undefined {
    return this.#rows.find((d) => d.id === id);
  }

  /** Loads once and follows changes from then on. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    api.onEvent((event) => {
      if (event.type === 'datasets:changed') void this.load();
      if (event.type === 'import:progress' && this.#import && this.#import.phase !== 'done' && event.file === this.#import.file) {
        this.#import = { ...this.#import, phase: 'importing', fraction: event.totalBytes ? event.bytesRead / event.totalBytes : null };
      }
    });
    connection.onReconnect(() => void this.load());
    void this.load();
  }

  async load(): Promise<void> {
    // The table stays as it is while it refreshes; a failed refresh shows its error above it.
    await this.#remote.run(() => api.call('datasets:list', undefined), { keep: true });
  }

  async rename(id: number, name: string): Promise<void> {
    await api.call('datasets:rename', { id, name });
    await this.load();
  }

  async remove(id: number): Promise<void> {
    await api.call('datasets:delete', { id });
    await this.load();
  }

  /** Imports a picked or dropped CSV; returns the dataset, or null when it failed (the message is kept). */
  async importFile(file: File, opts: { kind?: 'train' | 'test' } = {}): Promise<DatasetInfo | null> {
    this.#import = { file: file.name, phase: 'uploading', fraction: 0, message: null };
    try {
      let result;
      if (api.kind === 'browser') {
        result = await api.upload(file, {
          kind: opts.kind,
          onProgress: (sent, total) => {
            if (this.#import?.phase === 'uploading') this.#import = { ...this.#import, fraction: total ? sent / total : null };
          },
        });
      } else {
        const path = api.pathOf(file);
        if (!path) throw new Error(`${file.name}: the desktop app could not tell where this file is on disk`);
        this.#import = { file: path, phase: 'importing', fraction: null, message: null };
        result = await api.call('datasets:import', { path, kind: opts.kind });
      }
      const d = result.dataset;
      const note = result.existing
        ? `${file.name} was imported before: it is dataset “${d.name}”.`
        : `Imported “${d.name}”: ${count(d.rows, `${d.kind} image`)}.`;
      this.#import = { file: file.name, phase: 'done', fraction: 1, message: note };
      await this.load();
      return d;
    } catch (err) {
      this.#import = { file: file.name, phase: 'failed', fraction: null, message: message(err) };
      return null;
    }
  }

  dismissImport(): void {
    this.#import = null;
  }
}

export const datasets = new DatasetsStore();
