// The Workbench's link to its worker pool: the Redis URL (saved in the data folder, or given for one process by
// the CLI's --queue), connected on first use only — a store without pool runs never touches Redis.

import type { Db } from '../db/open.js';
import { WorkbenchError } from '../../shared/errors.js';
import type { WorkerInfo, WorkersStatus } from '../../shared/workers.js';
import { checkConnection, checkUrl, maskUrl } from './redis-url.js';
import { PoolOwner } from './pool-owner.js';
import { readPoolUrl, writePoolUrl } from './pool-runs.js';
import { appVersion } from '../version.js';

export class PoolLink {
  readonly #db: Db;
  readonly #override: string | undefined;
  #owner: Promise<PoolOwner> | null = null;
  #ownerUrl: string | null = null;

  constructor(db: Db, override?: string) {
    if (override !== undefined) checkUrl(override);
    this.#db = db;
    this.#override = override;
  }

  /** The full URL (with its password): for connecting only, never for display. */
  url(): string | null {
    return this.#override ?? readPoolUrl(this.#db);
  }

  maskedUrl(): string | null {
    const url = this.url();
    return url === null ? null : maskUrl(url);
  }

  owner(): Promise<PoolOwner> {
    const url = this.url();
    if (url === null) {
      return Promise.reject(new WorkbenchError('conflict', 'no worker pool is set up: add its Redis URL in Settings → Workers (or train with --queue URL)'));
    }
    if (!this.#owner || this.#ownerUrl !== url) {
      this.#closeOwner();
      this.#ownerUrl = url;
      this.#owner = PoolOwner.connect(url, this.#db);
      // A failed connection is not cached: the next call tries again (Redis may be up by then).
      this.#owner.catch(() => {
        if (this.#ownerUrl === url) this.#owner = null;
      });
    }
    return this.#owner;
  }

  /** Saves the URL once a connection with it works (null forgets it). */
  async setUrl(url: string | null): Promise<void> {
    if (url !== null) await checkConnection(url);
    writePoolUrl(this.#db, url);
  }

  /** Runs the pool's workers take at once (their --concurrency summed; at least 1, so a trial waits for one). */
  async capacity(): Promise<number> {
    return Math.max(1, (await this.#slots()).slots);
  }

  /** The connected workers, and the runs those of this app's version take at once. */
  async #slots(): Promise<{ slots: number; version: string; workers: WorkerInfo[] }> {
    const version = appVersion();
    const workers = await (await this.owner()).workers();
    return { slots: workers.filter((w) => w.version === version).reduce((sum, w) => sum + w.concurrency, 0), version, workers };
  }

  /**
   * Runs the pool's workers of this version train at once, for a job on a clock (autopilot): refused when none is
   * connected, since its members would wait in the queue while the budget runs out.
   */
  async trainingSlots(): Promise<number> {
    const { slots, version, workers } = await this.#slots();
    if (slots > 0) return slots;
    const others = workers.length > 0 ? ` (${workers.length === 1 ? 'the one connected runs' : `the ${workers.length} connected run`} another version: ${[...new Set(workers.map((w) => w.version))].join(', ')})` : '';
    throw new WorkbenchError(
      'conflict',
      `no worker of this version (${version}) is connected to the worker pool at ${this.maskedUrl()}${others}: start one with \`digit-workbench worker --queue URL\`, or train on this machine`,
    );
  }

  async status(): Promise<WorkersStatus> {
    if (this.url() === null) return { url: null, workers: [], queue: { waiting: 0, active: 0, failed: 0, jobs: [] } };
    const owner = await this.owner();
    const [workers, queue] = await Promise.all([owner.workers(), owner.queue()]);
    return { url: owner.url, workers, queue };
  }

  #closeOwner(): void {
    void this.#owner?.then((o) => o.close()).catch(() => undefined);
    this.#owner = null;
  }

  close(): void {
    this.#closeOwner();
  }
}
