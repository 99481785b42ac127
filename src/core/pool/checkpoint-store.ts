// A pool job's checkpoints in Redis, each written once: a hash per epoch (`…:ckpt:EPOCH`, weights + optimizer +
// loop state), the `last` and `best` slots as pointers to an epoch, and the stream's checkpoint event naming the
// epoch instead of carrying the bytes. A cnn-strong checkpoint is 7 MB: writing it into the stream and into each
// slot (as before) tripled what every epoch sent to Redis.
//
// A blob is deleted only when nothing needs it: its epoch is committed in the owner's SQLite and no slot points to
// it. Only the owner knows what is committed, so the owner sweeps after each commit (`collect`), in one script so
// that a worker moving a pointer meanwhile cannot race it.

import type { ChainableCommander, Redis } from 'ioredis';
import type { CheckpointData, TrainerEvent } from '../../shared/trainer-protocol.js';
import { decodeMap, encode } from './event-codec.js';
import { keys } from './keys.js';

type CheckpointEvent = Extract<TrainerEvent, { type: 'checkpoint' }>;

/** The checkpoint event as the stream carries it: its checkpoint is the blob of epoch `checkpointAt`. */
export type CheckpointRef = Omit<CheckpointEvent, 'checkpoint'> & { checkpointAt: number };

export function isCheckpointRef(event: unknown): event is CheckpointRef {
  return typeof event === 'object' && event !== null && (event as { type?: string }).type === 'checkpoint' && 'checkpointAt' in event;
}

/** Queues on `tx` the blob (unless Redis holds it already: restoring the best weights at the end) and the slots. */
export async function writeCheckpoint(redis: Redis, tx: ChainableCommander, jobId: string, checkpoint: CheckpointData, slots: readonly ('last' | 'best')[]): Promise<void> {
  const epoch = String(checkpoint.epoch);
  const blob = keys.checkpointBlob(jobId, epoch);
  if ((await redis.exists(blob)) === 0) tx.hset(blob, ...encode(checkpoint));
  tx.zadd(keys.checkpointEpochs(jobId), epoch, epoch);
  for (const slot of slots) tx.set(keys.checkpoint(jobId, slot), epoch);
}

/** The checkpoint a slot points to, or null (a fresh job, or one whose keys were removed). */
export async function readSlot(redis: Redis, jobId: string, slot: 'last' | 'best'): Promise<CheckpointData | null> {
  const epoch = await redis.get(keys.checkpoint(jobId, slot));
  return epoch === null ? null : readBlob(redis, jobId, Number(epoch));
}

export async function readBlob(redis: Redis, jobId: string, epoch: number): Promise<CheckpointData | null> {
  const h = await redis.hgetallBuffer(keys.checkpointBlob(jobId, String(epoch)));
  return h.j ? decodeMap<CheckpointData>(h) : null;
}

// KEYS: the epochs set, the last and best slots. ARGV: the blob key prefix, the epoch committed in SQLite.
const COLLECT = `
local last = redis.call('GET', KEYS[2])
local best = redis.call('GET', KEYS[3])
local gone = 0
for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])) do
  if e ~= last and e ~= best then
    redis.call('DEL', ARGV[1] .. e)
    redis.call('ZREM', KEYS[1], e)
    gone = gone + 1
  end
end
return gone`;

/** Queues on `tx` the removal of the blobs at or below `committed` that no slot points to. */
export function collect(tx: ChainableCommander, jobId: string, committed: number): void {
  tx.eval(COLLECT, 3, keys.checkpointEpochs(jobId), keys.checkpoint(jobId, 'last'), keys.checkpoint(jobId, 'best'), keys.checkpointBlob(jobId, ''), String(committed));
}

/** Every checkpoint key of a job (its run is over: the truth is in SQLite). */
export async function dropCheckpoints(redis: Redis, jobId: string): Promise<void> {
  const epochs = await redis.zrange(keys.checkpointEpochs(jobId), '0', '-1');
  await redis.del(keys.checkpointEpochs(jobId), keys.checkpoint(jobId, 'last'), keys.checkpoint(jobId, 'best'), ...epochs.map((e) => keys.checkpointBlob(jobId, e)));
}
