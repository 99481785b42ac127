// Exporting a submission: in the desktop app a native save dialog, then 'submissions:export' (asking before
// overwriting); in a browser the serve-mode download route, saved through a blob link so errors can be shown.
// Progress comes from 'predict:progress' events either way.

import type { SubmissionInfo } from '../../shared/submissions.js';
import { api } from './api.js';
import { postDownload } from './download.js';
import { message } from './format.js';

export interface ExportChoice {
  runIds: number[];
  datasetId: number;
  weights: 'best' | 'last';
  tta: boolean;
}

export class Exporter {
  #busy = $state(false);
  #progress = $state.raw<{ done: number; total: number } | null>(null);
  #result = $state.raw<SubmissionInfo | null>(null);
  #error = $state<string | null>(null);
  /** Desktop: the path that exists already, waiting for the user's yes. */
  #overwrite = $state.raw<{ choice: ExportChoice; path: string } | null>(null);

  get busy(): boolean {
    return this.#busy;
  }
  get progress(): { done: number; total: number } | null {
    return this.#progress;
  }
  get result(): SubmissionInfo | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }
  get overwrite(): { choice: ExportChoice; path: string } | null {
    return this.#overwrite;
  }

  start(): () => void {
    return api.onEvent((e) => {
      if (e.type === 'predict:progress' && this.#busy) this.#progress = { done: e.done, total: e.total };
    });
  }

  async export(choice: ExportChoice): Promise<void> {
    const name = `submission-run${choice.runIds.join('-')}${choice.tta ? '-tta' : ''}.csv`;
    if (api.kind === 'desktop') {
      const { path } = await api.call('desktop:save-file', { purpose: 'submission', defaultName: name });
      if (path) await this.#run(() => this.#exportTo(choice, path, false));
    } else {
      await this.#run(() => this.#download(choice));
    }
  }

  async confirmOverwrite(yes: boolean): Promise<void> {
    const pending = this.#overwrite;
    this.#overwrite = null;
    if (yes && pending) await this.#run(() => this.#exportTo(pending.choice, pending.path, true));
  }

  async #run(fn: () => Promise<SubmissionInfo | null>): Promise<void> {
    this.#busy = true;
    this.#error = null;
    this.#progress = null;
    try {
      const result = await fn();
      if (result) this.#result = result;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#busy = false;
    }
  }

  async #exportTo(choice: ExportChoice, out: string, force: boolean): Promise<SubmissionInfo | null> {
    try {
      return await api.call('submissions:export', { ...choice, out, force });
    } catch (err) {
      if (!force && /exists already/.test(message(err))) {
        this.#overwrite = { choice, path: out };
        return null;
      }
      throw err;
    }
  }

  async #download(choice: ExportChoice): Promise<SubmissionInfo> {
    const q = new URLSearchParams({ runs: choice.runIds.join(','), dataset: String(choice.datasetId), weights: choice.weights, tta: choice.tta ? '1' : '0' });
    const { headers } = await postDownload('/download/submission', q, 'submission.csv');
    const id = Number(headers.get('X-Submission-Id'));
    const info = (await api.call('submissions:list', undefined)).find((s) => s.id === id);
    if (!info) throw new Error(`submission ${id} was written but is not in the ledger`);
    return info;
  }
}
