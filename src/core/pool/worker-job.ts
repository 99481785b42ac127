// One pool job on a worker: fetch the dataset by content, continue from the job's checkpoint in Redis (a worker
// taking over a stalled run) or start fresh, train in a local trainer process, and append every trainer event to
// the run's stream. A checkpoint is written once (checkpoint-store.ts) in the same MULTI as its stream event and
// the slots pointing to it, so a worker taking over continues exactly after the last epoch the stream holds.

import type { Redis } from 'ioredis';
import { toErrorData } from '../../shared/errors.js';
import type { BackendChoice, TrainerEvent } from '../../shared/trainer-protocol.js';
import { splitIndices } from '../training/split.js';
import type { TrainerSpawner } from '../training/trainer-process.js';
import { encode } from './event-codec.js';
import { readSlot, writeCheckpoint, type CheckpointRef } from './checkpoint-store.js';
import { keys, type PoolJobData } from './keys.js';
import { createLogger } from '../logger.js';

const STOP_POLL_MS = 500;
const log = createLogger('worker');

export interface JobContext {
  jobId: string;
  data: PoolJobData;
  redis: Redis;
  worker: string;
  backend: BackendChoice;
  threads: number | null;
  spawn: TrainerSpawner;
  dataset: (ref: PoolJobData['dataset']) => Promise<{ pixels: Uint8Array; labels: Uint8Array }>;
  /** Every event, for the worker's own output and heartbeat. */
  onEvent: (event: TrainerEvent) => void;
  /** Set when BullMQ lost this job's lock: another worker may run it now, so this one must fall silent. */
  lost: () => boolean;
}

export async function runJob(ctx: JobContext): Promise<void> {
  const { jobId, data, redis } = ctx;
  const stream = keys.events(jobId);
  const publish = async (event: TrainerEvent) => {
    if (ctx.lost()) return;
    ctx.onEvent(event);
    if (event.type === 'checkpoint') {
      const { checkpoint, ...rest } = event;
      const tx = redis.multi();
      await writeCheckpoint(redis, tx, jobId, checkpoint, event.slots);
      const ref: CheckpointRef = { ...rest, checkpointAt: checkpoint.epoch, worker: ctx.worker };
      await tx.xadd(stream, '*', ...encode(ref)).exec();
    } else {
      await redis.xadd(stream, '*', ...encode(event.type === 'started' ? { ...event, worker: ctx.worker } : event));
    }
  };
  try {
    if ((await redis.exists(keys.stop(jobId))) === 1) {
      await publish({ type: 'done', runId: data.runId, outcome: 'stopped', reason: 'stopped by the user before a worker took it' });
      return;
    }
    const { pixels, labels } = await ctx.dataset(data.dataset);
    const hp = data.hyperparams;
    const split = splitIndices(labels, { ...hp.validation, seed: hp.seed });
    const last = await readSlot(redis, jobId, 'last');
    const resume = last ? { last, best: await readSlot(redis, jobId, 'best') } : null;
    if (last) await publish({ type: 'log', level: 'info', message: `worker ${ctx.worker} continues the run after epoch ${last.epoch}` });
    await train(ctx, publish, {
      type: 'train',
      runId: data.runId,
      hyperparams: hp,
      pixels,
      labels,
      trainIndices: split.train,
      valIndices: split.val,
      resume,
      backend: data.backend ?? ctx.backend,
      // The owner's pinned worker count (a resume keeps the run's), within this worker's thread budget.
      workers: data.threads,
      threads: ctx.threads,
    });
  } catch (err) {
    await publish({ type: 'error', runId: data.runId, error: toErrorData(err) });
  }
}

type TrainRequest = Extract<import('../../shared/trainer-protocol.js').TrainerRequest, { type: 'train' }>;

function train(ctx: JobContext, publish: (event: TrainerEvent) => Promise<void>, request: TrainRequest): Promise<void> {
  return new Promise<void>((resolve) => {
    const trainer = ctx.spawn();
    let chain = Promise.resolve();
    let ended = false;
    let epoch = request.resume?.last.epoch ?? 0;
    const stopKey = keys.stop(ctx.jobId);
    const poll = setInterval(() => {
      if (ctx.lost()) return finish();
      void ctx.redis.exists(stopKey).then((n) => n === 1 && trainer.send({ type: 'stop', runId: request.runId }), () => undefined);
    }, STOP_POLL_MS);
    function finish(): void {
      clearInterval(poll);
      trainer.kill();
      // Every event reaches Redis before the job completes (ioredis queues them while Redis restarts).
      void chain.then(resolve);
    }
    const enqueue = (event: TrainerEvent) => {
      chain = chain.then(() => publish(event)).catch((err: Error) => log.error(`run ${request.runId}: cannot send its ${event.type} event: ${err.message}`));
    };
    trainer.onEvent((event) => {
      if (ended) return;
      if (event.type === 'epoch') epoch = event.metrics.epoch;
      enqueue(event);
      if (event.type === 'done' || event.type === 'error') {
        ended = true;
        finish();
      }
    });
    trainer.onExit((reason) => {
      if (ended) return;
      ended = true;
      enqueue({ type: 'error', runId: request.runId, error: { code: 'trainer', message: `${reason} on worker ${ctx.worker} during epoch ${epoch + 1}` } });
      finish();
    });
    trainer.send(request);
  });
}
