// One run's error analysis: its confusion report, every misclassified digit (one fetch, most confidently wrong
// first), and the digits of one confusion cell when one is picked (the diagonal cells hold the correct ones).

import type { ConfusionReport, DigitItem } from '../../shared/analysis.js';
import type { RunDetail } from '../../shared/runs.js';
import { api } from './api.js';
import { message } from './format.js';

/** One fetch covers the whole Kaggle validation split (4,200 digits). */
export const GALLERY_LIMIT = 5000;

export class ErrorsPage {
  readonly id: number;
  #detail = $state.raw<RunDetail | null>(null);
  #report = $state.raw<ConfusionReport | null>(null);
  #wrong = $state.raw<DigitItem[]>([]);
  #wrongTotal = $state(0);
  #cell = $state.raw<{ t: number; p: number } | null>(null);
  #cellItems = $state.raw<DigitItem[] | null>(null);
  #cellTotal = $state(0);
  #loading = $state(true);
  #cellLoading = $state(false);
  #error = $state<string | null>(null);
  #cellError = $state<string | null>(null);
  #seq = 0;

  constructor(id: number) {
    this.id = id;
  }

  get detail(): RunDetail | null {
    return this.#detail;
  }
  get report(): ConfusionReport | null {
    return this.#report;
  }
  get wrong(): DigitItem[] {
    return this.#wrong;
  }
  get wrongTotal(): number {
    return this.#wrongTotal;
  }
  get cell(): { t: number; p: number } | null {
    return this.#cell;
  }
  get cellItems(): DigitItem[] | null {
    return this.#cellItems;
  }
  get cellTotal(): number {
    return this.#cellTotal;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get cellLoading(): boolean {
    return this.#cellLoading;
  }
  get error(): string | null {
    return this.#error;
  }
  get cellError(): string | null {
    return this.#cellError;
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      const [detail, report, page] = await Promise.all([
        api.call('runs:get', { id: this.id }),
        api.call('analysis:confusion', { id: this.id }),
        api.call('analysis:digits', { id: this.id, offset: 0, limit: GALLERY_LIMIT }),
      ]);
      this.#detail = detail;
      this.#report = report;
      this.#wrong = page.items;
      this.#wrongTotal = page.total;
      this.#error = null;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#loading = false;
    }
  }

  /** Picks one confusion cell (null: back to every misclassified digit). */
  async pickCell(cell: { t: number; p: number } | null): Promise<void> {
    const seq = ++this.#seq;
    this.#cell = cell;
    this.#cellItems = null;
    this.#cellError = null;
    if (!cell) return;
    this.#cellLoading = true;
    try {
      const page = await api.call('analysis:digits', { id: this.id, trueClass: cell.t, predictedClass: cell.p, offset: 0, limit: GALLERY_LIMIT });
      if (seq !== this.#seq) return;
      this.#cellItems = page.items;
      this.#cellTotal = page.total;
    } catch (err) {
      if (seq === this.#seq) this.#cellError = message(err);
    } finally {
      if (seq === this.#seq) this.#cellLoading = false;
    }
  }
}
