// Exporting a submission: in the desktop app a native save dialog, then 'submissions:export' (asking before
// overwriting); in a browser the serve-mode download route, saved through a blob link so errors can be shown.
// Progress comes from 'predict:progress' events either way. Before that, 'submissions:check' warns about a test set
// of another kind of image than the runs trained on (latest choice wins). A browser never sees a server path: its
// result names the downloaded file.

import type { SubmissionInfo } from '../../shared/submissions.js';
import { api } from './api.js';
import { postDownload } from './download.js';
import { SaveOrDownload } from './save-or-download.svelte.js';

export interface ExportChoice {
  runIds: number[];
  datasetId: number;
  weights: 'best' | 'last';
  tta: boolean;
}

/** The ledger row of the export; `path` is the downloaded file's name when `downloaded`. */
export type ExportDone = SubmissionInfo & { downloaded: boolean };

export class Exporter extends SaveOrDownload<ExportChoice, ExportDone> {
  #progress = $state.raw<{ done: number; total: number } | null>(null);
  #warnings = $state.raw<string[]>([]);
  #checkSeq = 0;

  /** Why the chosen test set may not suit the chosen runs (empty when it looks like their training images). */
  get warnings(): string[] {
    return this.#warnings;
  }

  async check(runIds: number[], datasetId: number | null): Promise<void> {
    const seq = ++this.#checkSeq;
    if (!runIds.length || datasetId === null) return void (this.#warnings = []);
    try {
      const { warnings } = await api.call('submissions:check', { runIds, datasetId });
      if (seq === this.#checkSeq) this.#warnings = warnings;
    } catch {
      // A check that fails (a run deleted meanwhile) warns of nothing; the export itself reports real errors.
      if (seq === this.#checkSeq) this.#warnings = [];
    }
  }

  get progress(): { done: number; total: number } | null {
    return this.#progress;
  }

  start(): () => void {
    return api.onEvent((e) => {
      if (e.type === 'predict:progress' && this.busy) this.#progress = { done: e.done, total: e.total };
    });
  }

  protected override starting(): void {
    this.#progress = null;
  }

  protected saveAs(choice: ExportChoice) {
    return { purpose: 'submission' as const, name: `submission-run${choice.runIds.join('-')}${choice.tta ? '-tta' : ''}.csv` };
  }

  protected async write(choice: ExportChoice, out: string, force: boolean): Promise<ExportDone> {
    return { ...(await api.call('submissions:export', { ...choice, out, force })), downloaded: false };
  }

  protected async download(choice: ExportChoice): Promise<ExportDone> {
    const q = new URLSearchParams({ runs: choice.runIds.join(','), dataset: String(choice.datasetId), weights: choice.weights, tta: choice.tta ? '1' : '0' });
    const { headers, file } = await postDownload('/download/submission', q, 'submission.csv');
    const id = Number(headers.get('X-Submission-Id'));
    const info = (await api.call('submissions:list', undefined)).find((s) => s.id === id);
    if (!info) throw new Error(`submission ${id} was written but is not in the ledger`);
    // The ledger's path is where serve mode keeps its copy, on the server: the browser names the file it saved.
    return { ...info, path: file, downloaded: true };
  }
}
