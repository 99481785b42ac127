// One run's error analysis: its confusion report, every misclassified digit (one fetch, most confidently wrong
// first), and the digits of one confusion cell when one is picked (the diagonal cells hold the correct ones).

import type { ConfusionReport, DigitItem, DigitPage } from '../../shared/analysis.js';
import type { RunDetail } from '../../shared/runs.js';
import { api } from './api.js';
import { Remote } from './remote.svelte.js';

/** One fetch covers the whole Kaggle validation split (4,200 digits). */
export const GALLERY_LIMIT = 5000;

export class ErrorsPage {
  readonly id: number;
  #detail = $state.raw<RunDetail | null>(null);
  readonly #page = new Remote<{ report: ConfusionReport; wrong: DigitPage }>({ loading: true });
  readonly #cellPage = new Remote<DigitPage>();
  #cell = $state.raw<{ t: number; p: number } | null>(null);

  constructor(id: number) {
    this.id = id;
  }

  get detail(): RunDetail | null {
    return this.#detail;
  }
  get report(): ConfusionReport | null {
    return this.#page.value?.report ?? null;
  }
  get wrong(): DigitItem[] {
    return this.#page.value?.wrong.items ?? [];
  }
  get wrongTotal(): number {
    return this.#page.value?.wrong.total ?? 0;
  }
  get cell(): { t: number; p: number } | null {
    return this.#cell;
  }
  get cellItems(): DigitItem[] | null {
    return this.#cellPage.value?.items ?? null;
  }
  get cellTotal(): number {
    return this.#cellPage.value?.total ?? 0;
  }
  get loading(): boolean {
    return this.#page.loading;
  }
  get cellLoading(): boolean {
    return this.#cellPage.loading;
  }
  get error(): string | null {
    return this.#page.error;
  }
  get cellError(): string | null {
    return this.#cellPage.error;
  }

  async load(): Promise<void> {
    await this.#page.run(async () => {
      const [detail, report, wrong] = await Promise.all([
        api.call('runs:get', { id: this.id }),
        api.call('analysis:confusion', { id: this.id }),
        api.call('analysis:digits', { id: this.id, offset: 0, limit: GALLERY_LIMIT }),
      ]);
      this.#detail = detail;
      return { report, wrong };
    }, { keep: true });
  }

  /** Picks one confusion cell (null: back to every misclassified digit). */
  async pickCell(cell: { t: number; p: number } | null): Promise<void> {
    this.#cell = cell;
    if (!cell) return this.#cellPage.clear();
    await this.#cellPage.run(() =>
      api.call('analysis:digits', { id: this.id, trueClass: cell.t, predictedClass: cell.p, offset: 0, limit: GALLERY_LIMIT }),
    );
  }
}
