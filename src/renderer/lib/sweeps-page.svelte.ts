// Sweeps view state: the list, the chosen sweep's detail (refreshed on sweep and run events, coalesced), the
// brushes of its parallel-coordinates plot and the trials they let through, and stop/resume.

import type { SweepDetail, SweepInfo, TrialInfo } from '../../shared/sweeps.js';
import { api } from './api.js';
import { message } from './format.js';
import { axesOf, passes, type Axis, type Brush } from './parallel-coords.js';
import { Remote } from './remote.svelte.js';

export class SweepsPage {
  readonly list = new Remote<SweepInfo[]>({ loading: true });
  readonly detail = new Remote<SweepDetail>();
  brushes = $state<Record<string, Brush>>({});
  #actionError = $state<string | null>(null);
  #id: number | null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(id: number | null) {
    this.#id = id;
  }

  get id(): number | null {
    return this.#id;
  }
  get actionError(): string | null {
    return this.#actionError;
  }

  get axes(): Axis[] {
    const d = this.detail.value;
    return d ? axesOf(d.dimensions, d.trialList) : [];
  }

  /** The trials inside every brush. */
  get shown(): TrialInfo[] {
    const d = this.detail.value;
    if (!d) return [];
    const axes = this.axes;
    return d.trialList.filter((t) => passes(axes, this.brushes, t));
  }

  setBrush(key: string, brush: Brush | null): void {
    const { [key]: _old, ...rest } = this.brushes;
    this.brushes = brush ? { ...rest, [key]: brush } : rest;
  }

  /** Loads now and follows events; returns the unsubscribe for the view's teardown. */
  start(): () => void {
    void this.load();
    const off = api.onEvent((e) => {
      if (e.type === 'sweep:changed' || e.type === 'run:epoch' || e.type === 'run:status') this.#soon();
    });
    return () => {
      off();
      if (this.#timer) clearTimeout(this.#timer);
    };
  }

  #soon(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.load(true);
    }, 400);
  }

  async load(keep = false): Promise<void> {
    const id = this.#id;
    await Promise.all([
      this.list.run(() => api.call('sweeps:list', undefined), { keep: true }),
      id === null ? Promise.resolve() : this.detail.run(() => api.call('sweeps:get', { id }), { keep }),
    ]);
  }

  async act(what: 'stop' | 'resume'): Promise<void> {
    if (this.#id === null) return;
    this.#actionError = null;
    try {
      await api.call(what === 'stop' ? 'sweeps:stop' : 'sweeps:resume', { id: this.#id });
      await this.load(true);
    } catch (err) {
      this.#actionError = message(err);
    }
  }
}
