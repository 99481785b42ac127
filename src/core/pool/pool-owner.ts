// The owner's side of the worker pool: queues a run as a BullMQ job, then consumes the run's event stream in a
// consumer group and hands each event to the run manager, which commits it to SQLite; only then is it acked
// (and deleted). An owner killed before the ack reads the same events again on restart (pending entries).

import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/open.js';
import { createLogger } from '../logger.js';
import { appVersion } from '../version.js';
import { getRunDetail } from '../training/runs-repo.js';
import type { TrainerEvent, TrainerRequest } from '../../shared/trainer-protocol.js';
import { checkConnection, longLived, maskUrl } from './redis-url.js';
import { jobIdFor, keys, OWNER_GROUP, PREFIX, queueName, type PoolJobData } from './keys.js';
import { decode } from './event-codec.js';
import { collect, dropCheckpoints, isCheckpointRef, readBlob, writeCheckpoint, type CheckpointRef } from './checkpoint-store.js';
import { publishDataset } from './dataset-transfer.js';
import { committedEpoch, ownerId, setPoolJob } from './pool-runs.js';
import { listWorkers, queueStatus } from './pool-status.js';

const log = createLogger('pool');
const BLOCK_MS = 500;
const JOB_CHECK_MS = 2000;

type TrainRequest = Extract<TrainerRequest, { type: 'train' }>;

/** What the owner needs from a run's handle: deliver its events, and its end when the pool gave up on it. */
export interface StreamSink {
  event(event: TrainerEvent): void;
  gone(reason: string): void;
}

interface Watched {
  jobId: string;
  runId: number;
  sink: StreamSink;
  /** Reading its pending (delivered, not acked) entries first: those of an owner that died before acking. */
  pending: boolean;
  released: boolean;
  goneReason: string | null;
}

type Entry = [id: Buffer, fields: Buffer[] | null];
type StreamReply = [key: Buffer, entries: Entry[]][];

/** XREADGROUP's reply as [key, entries] pairs: RESP2 nests them, RESP3 (ioredis 6's default) gives a flat map. */
function streamPairs(reply: unknown): StreamReply {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (Array.isArray(reply[0])) return reply as StreamReply;
  const pairs: StreamReply = [];
  for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i] as Buffer, reply[i + 1] as Entry[]]);
  return pairs;
}

export class PoolOwner {
  readonly url: string;
  readonly #db: Db;
  readonly #cmd: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #ownerId: string;
  readonly #watched = new Map<string, Watched>();
  readonly #timer: NodeJS.Timeout;
  #wake: (() => void) | null = null;
  #closed = false;
  /** Events committed, and for the latest checkpoints the ms from their append to Redis to their SQLite commit. */
  readonly stats = { events: 0, checkpointLagMs: [] as number[] };

  private constructor(url: string, db: Db) {
    this.url = maskUrl(url);
    this.#db = db;
    this.#cmd = longLived(url);
    // Blocking reads need their own connection.
    this.#reader = longLived(url);
    for (const c of [this.#cmd, this.#reader]) c.on('error', (err: Error) => log.warn(`redis ${this.url}: ${err.message}`));
    this.#queue = new Queue(queueName(appVersion()), { connection: this.#cmd, prefix: PREFIX });
    this.#queue.on('error', () => undefined); // the same connection errors, already logged once above
    this.#ownerId = ownerId(db);
    this.#timer = setInterval(() => void this.#checkJobs(), JOB_CHECK_MS);
    this.#timer.unref();
    void this.#loop().catch((err: Error) => log.error(`the pool's event reader stopped: ${err.stack ?? err.message}`));
  }

  /** Checks the URL (a clear error within 5 s) and announces this owner's version to the workers. */
  static async connect(url: string, db: Db): Promise<PoolOwner> {
    await checkConnection(url);
    const owner = new PoolOwner(url, db);
    await owner.#cmd.hset(keys.owner, { version: appVersion(), host: hostname(), pid: String(process.pid), at: new Date().toISOString() });
    return owner;
  }

  /** Publishes the dataset (once), the resume checkpoints, then the job; events flow to `sink` from then on. */
  async launch(runId: number, req: TrainRequest, backendThreads: { backend: PoolJobData['backend']; threads: number | null }, sink: StreamSink): Promise<string> {
    const detail = getRunDetail(this.#db, runId);
    const dataset = await publishDataset(this.#cmd, detail.datasetSha256, req.pixels, req.labels);
    const jobId = jobIdFor(this.#ownerId, runId, Date.now().toString(36));
    setPoolJob(this.#db, runId, jobId);
    const tx = this.#cmd.multi().xgroup('CREATE', keys.events(jobId), OWNER_GROUP, '0', 'MKSTREAM');
    if (req.resume) {
      const { last, best } = req.resume;
      // Best and last are often the same epoch: one blob, both slots pointing to it.
      if (best && best.epoch !== last.epoch) await writeCheckpoint(this.#cmd, tx, jobId, best, ['best']);
      await writeCheckpoint(this.#cmd, tx, jobId, last, best?.epoch === last.epoch ? ['last', 'best'] : ['last']);
    }
    await tx.exec();
    this.#watch({ jobId, runId, sink, pending: false, released: false, goneReason: null });
    const data: PoolJobData = { runId, ownerHost: hostname(), appVersion: appVersion(), hyperparams: detail.hyperparams, dataset, ...backendThreads };
    // Completed jobs go at once (the run's truth is in SQLite); failed ones stay a while for `workers` to show.
    await this.#queue.add('train', data, { jobId, removeOnComplete: true, removeOnFail: { count: 100 } });
    return jobId;
  }

  /** Resumes consuming a run whose owner died: its pending entries first, then new ones. */
  async attach(runId: number, jobId: string, sink: StreamSink): Promise<void> {
    const [job, length] = await Promise.all([this.#queue.getJob(jobId), this.#cmd.xlen(keys.events(jobId))]);
    if (!job && length === 0) {
      sink.gone('the worker pool has no record of its job (was Redis emptied?); resume the run to queue it again');
      return;
    }
    await this.#cmd.xgroup('CREATE', keys.events(jobId), OWNER_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
      if (!/BUSYGROUP/.test(err.message)) throw err;
    });
    this.#watch({ jobId, runId, sink, pending: true, released: false, goneReason: null });
  }

  /** The worker polls this key: a stop reaches its trainer within about a second. */
  async stop(jobId: string): Promise<void> {
    await this.#cmd.set(keys.stop(jobId), '1', 'EX', 7 * 86_400);
  }

  /** Stops consuming; `finished` runs also lose their Redis keys (their truth is in SQLite now). */
  release(jobId: string, finished: boolean): void {
    const w = this.#watched.get(jobId);
    if (!w) return;
    w.released = true;
    this.#watched.delete(jobId);
    if (finished) {
      void Promise.all([this.#cmd.del(keys.events(jobId), keys.stop(jobId)), dropCheckpoints(this.#cmd, jobId)]).catch(() => undefined);
    }
  }

  workers = () => listWorkers(this.#cmd);
  queue = () => queueStatus(this.#queue);

  #watch(w: Watched): void {
    this.#watched.set(w.jobId, w);
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      const list = [...this.#watched.values()];
      if (list.length === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
        continue;
      }
      let reply: StreamReply;
      try {
        reply = streamPairs(await this.#reader.callBuffer('XREADGROUP', 'GROUP', OWNER_GROUP, 'owner', 'COUNT', '64', 'BLOCK', String(BLOCK_MS), 'STREAMS',
          ...list.map((w) => keys.events(w.jobId)), ...list.map((w) => (w.pending ? '0' : '>'))));
      } catch (err) {
        if (this.#closed) return;
        // Redis restarting, or a stream deleted under us: wait and read again (ioredis reconnects by itself).
        log.warn(`reading run events from ${this.url}: ${(err as Error).message}`);
        await this.#recreateGroups(list);
        await new Promise((resolve) => setTimeout(resolve, BLOCK_MS));
        continue;
      }
      const got = new Set<string>();
      for (const [keyBuf, entries] of reply) {
        const w = list.find((x) => keys.events(x.jobId) === keyBuf.toString());
        if (!w) continue;
        if (w.pending && entries.length === 0) w.pending = false;
        if (entries.length > 0) got.add(w.jobId);
        await this.#consume(w, entries);
      }
      for (const w of list) {
        if (w.goneReason && !got.has(w.jobId) && !w.pending && !w.released) {
          this.release(w.jobId, false);
          w.sink.gone(w.goneReason);
        }
      }
    }
  }

  async #consume(w: Watched, entries: Entry[]): Promise<void> {
    const ids: Buffer[] = [];
    let checkpoints = false;
    for (const [id, fields] of entries) {
      ids.push(id);
      if (!fields || w.released) continue;
      const wire = decode<TrainerEvent | CheckpointRef>(fields);
      // An owner killed between its commit and its ack reads that event again: it must not land twice.
      const epoch = wire.type === 'epoch' ? wire.metrics.epoch : wire.type === 'checkpoint' && wire.metrics ? wire.metrics.epoch : null;
      if (epoch !== null && epoch <= committedEpoch(this.#db, w.runId)) continue;
      const event = isCheckpointRef(wire) ? await this.#withCheckpoint(w, wire) : (wire as TrainerEvent);
      checkpoints ||= event.type === 'checkpoint';
      w.sink.event(event);
      this.stats.events++;
      // A stream id starts with Redis's clock in ms at the append: the lag an epoch waits before it is safe.
      if (event.type === 'checkpoint') this.stats.checkpointLagMs.push(Date.now() - Number(id.toString().split('-')[0]));
      if (this.stats.checkpointLagMs.length > 10_000) this.stats.checkpointLagMs.splice(0, 5_000);
    }
    if (ids.length === 0) return;
    const key = keys.events(w.jobId);
    const tx = this.#cmd.multi().xack(key, OWNER_GROUP, ...ids).xdel(key, ...ids);
    if (checkpoints) collect(tx, w.jobId, committedEpoch(this.#db, w.runId));
    await tx.exec();
  }

  /** The checkpoint event with its blob; a blob gone missing (Redis emptied meanwhile) fails the run, saying so. */
  async #withCheckpoint(w: Watched, ref: CheckpointRef): Promise<TrainerEvent> {
    const { checkpointAt, ...rest } = ref;
    const checkpoint = await readBlob(this.#cmd, w.jobId, checkpointAt);
    if (checkpoint) return { ...rest, checkpoint };
    return { type: 'error', runId: w.runId, error: { code: 'io', message: `the checkpoint of epoch ${checkpointAt} is missing from Redis at ${this.url} (was it emptied?); resume the run to continue from the last committed epoch` } };
  }

  async #recreateGroups(list: Watched[]): Promise<void> {
    for (const w of list) {
      await this.#cmd.xgroup('CREATE', keys.events(w.jobId), OWNER_GROUP, '0', 'MKSTREAM').catch(() => undefined);
    }
  }

  /** A job BullMQ failed (stalled too often, say) ends its run once its stream is drained. */
  async #checkJobs(): Promise<void> {
    for (const w of [...this.#watched.values()]) {
      if (w.goneReason) continue;
      try {
        const state = await this.#queue.getJobState(w.jobId);
        if (state !== 'failed') continue;
        const job = await this.#queue.getJob(w.jobId);
        w.goneReason = `the worker pool gave up on it: ${job?.failedReason ?? 'the job failed'}`;
      } catch {
        // Redis unreachable for now: the next check will tell.
      }
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#wake?.();
    void this.#queue.close().catch(() => undefined);
    this.#cmd.disconnect();
    this.#reader.disconnect();
  }
}
