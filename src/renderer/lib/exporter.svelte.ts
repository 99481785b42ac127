// Exporting a submission: in the desktop app a native save dialog, then 'submissions:export' (asking before
// overwriting); in a browser the serve-mode download route, saved through a blob link so errors can be shown.
// Progress comes from 'predict:progress' events either way.

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

export class Exporter extends SaveOrDownload<ExportChoice, SubmissionInfo> {
  #progress = $state.raw<{ done: number; total: number } | null>(null);

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

  protected write(choice: ExportChoice, out: string, force: boolean): Promise<SubmissionInfo> {
    return api.call('submissions:export', { ...choice, out, force });
  }

  protected async download(choice: ExportChoice): Promise<SubmissionInfo> {
    const q = new URLSearchParams({ runs: choice.runIds.join(','), dataset: String(choice.datasetId), weights: choice.weights, tta: choice.tta ? '1' : '0' });
    const { headers } = await postDownload('/download/submission', q, 'submission.csv');
    const id = Number(headers.get('X-Submission-Id'));
    const info = (await api.call('submissions:list', undefined)).find((s) => s.id === id);
    if (!info) throw new Error(`submission ${id} was written but is not in the ledger`);
    return info;
  }
}
