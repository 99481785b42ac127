// The flow both exports share (a submission, a model): in the desktop app a native save dialog, then the core writes
// the file, asking before it replaces one that exists; in a browser a download from serve mode. Busy, the result,
// the error and the pending overwrite are state the panels render; each export says only how it writes and downloads.

import type { ArgsOf } from '../../shared/contract.js';
import { api } from './api.js';
import { message } from './format.js';

type SavePurpose = ArgsOf<'desktop:save-file'>['purpose'];

export abstract class SaveOrDownload<Choice, Result> {
  #busy = $state(false);
  #result = $state.raw<Result | null>(null);
  #error = $state<string | null>(null);
  /** Desktop: the path that exists already, waiting for the user's yes. */
  #overwrite = $state.raw<{ choice: Choice; path: string } | null>(null);

  get busy(): boolean {
    return this.#busy;
  }
  get result(): Result | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }
  get overwrite(): { choice: Choice; path: string } | null {
    return this.#overwrite;
  }

  /** The save dialog's purpose and the file or folder name it proposes. */
  protected abstract saveAs(choice: Choice): { purpose: SavePurpose; name: string };
  /** Desktop: writes to `out` through the core (refusing an existing path unless `force`). */
  protected abstract write(choice: Choice, out: string, force: boolean): Promise<Result>;
  /** Browser: the serve-mode download. */
  protected abstract download(choice: Choice): Promise<Result>;
  /** Called as an export starts (e.g. to clear progress). */
  protected starting(): void {}

  async export(choice: Choice): Promise<void> {
    if (api.kind === 'desktop') {
      const { purpose, name } = this.saveAs(choice);
      const { path } = await api.call('desktop:save-file', { purpose, defaultName: name });
      if (path) await this.#run(() => this.#writeOrAsk(choice, path, false));
    } else {
      await this.#run(() => this.download(choice));
    }
  }

  async confirmOverwrite(yes: boolean): Promise<void> {
    const pending = this.#overwrite;
    this.#overwrite = null;
    if (yes && pending) await this.#run(() => this.#writeOrAsk(pending.choice, pending.path, true));
  }

  async #run(fn: () => Promise<Result | null>): Promise<void> {
    this.#busy = true;
    this.#error = null;
    this.starting();
    try {
      const result = await fn();
      if (result) this.#result = result;
    } catch (err) {
      this.#error = message(err);
    } finally {
      this.#busy = false;
    }
  }

  async #writeOrAsk(choice: Choice, out: string, force: boolean): Promise<Result | null> {
    try {
      return await this.write(choice, out, force);
    } catch (err) {
      if (!force && /exists already/.test(message(err))) {
        this.#overwrite = { choice, path: out };
        return null;
      }
      throw err;
    }
  }
}
