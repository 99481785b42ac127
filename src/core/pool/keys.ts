// Every Redis key the worker pool uses, in one place. BullMQ's own keys live under `dw:<queue>:*`.

/** BullMQ prefix for the runs queue. */
export const PREFIX = 'dw';

/** One queue per app version: a worker of another version never takes a job it would train differently. */
export function queueName(version: string): string {
  return `runs-${version.replace(/[^0-9A-Za-z.-]/g, '_')}`;
}

export const keys = {
  /** Hash: the version, host and pid of the latest owner that connected (workers of another version are refused). */
  owner: `${PREFIX}:owner`,
  /** String (JSON), expires unless the worker's heartbeat renews it. */
  worker: (name: string) => `${PREFIX}:worker:${name}`,
  workerPattern: `${PREFIX}:worker:*`,
  /** Hash {pixels (brotli), labels, rows, content}: a dataset by the sha256 of its CSV, published once. */
  dataset: (sha256: string) => `${PREFIX}:dataset:${sha256}`,
  /** Stream of one job's trainer events; the owner reads it in group OWNER_GROUP and acks after its commit. */
  events: (jobId: string) => `${PREFIX}:job:${jobId}:events`,
  /** String per slot (last, best): the epoch of the job's checkpoint blob in that slot, for a worker taking over. */
  checkpoint: (jobId: string, slot: 'last' | 'best') => `${PREFIX}:job:${jobId}:checkpoint:${slot}`,
  /** Hash: one epoch's checkpoint (written once; see checkpoint-store.ts). */
  checkpointBlob: (jobId: string, epoch: string) => `${PREFIX}:job:${jobId}:ckpt:${epoch}`,
  /** Sorted set: the epochs whose blobs are in Redis. */
  checkpointEpochs: (jobId: string) => `${PREFIX}:job:${jobId}:ckpts`,
  /** String: present once a stop was requested. */
  stop: (jobId: string) => `${PREFIX}:job:${jobId}:stop`,
};

export const OWNER_GROUP = 'owner';

/** A job id per launch of a run (a resumed run is a new job): BullMQ ignores an add whose id already exists. */
export function jobIdFor(ownerId: string, runId: number, launch: string): string {
  return `${ownerId}-${runId}-${launch}`;
}

export interface PoolJobData {
  runId: number;
  ownerHost: string;
  appVersion: string;
  hyperparams: import('../../shared/hyperparams.js').Hyperparams;
  dataset: { sha256: string; rows: number; content: string };
  backend: import('../../shared/trainer-protocol.js').BackendChoice | null;
  threads: number | null;
}

/** A worker's heartbeat key holds its WorkerInfo (shared/workers.ts) as JSON. */
export const HEARTBEAT_MS = 2000;
