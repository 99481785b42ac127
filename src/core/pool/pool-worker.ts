// `digit-workbench worker`: a BullMQ worker on the runs queue of this app version. Each job trains in its own
// trainer process (so this process's event loop stays free to renew the job's lock); a heartbeat key tells the
// owners who is connected. A worker killed mid-run stops renewing its lock: after the stall interval BullMQ hands
// the job to another worker, which continues from the job's last checkpoint.

import { cpus, hostname } from 'node:os';
import { Worker } from 'bullmq';
import { conflict, WorkbenchError } from '../../shared/errors.js';
import type { BackendChoice, TrainerEvent } from '../../shared/trainer-protocol.js';
import type { WorkerInfo } from '../../shared/workers.js';
import { alive } from '../training/runs-repo.js';
import { nodeTrainerSpawner, type TrainerSpawner } from '../training/trainer-process.js';
import { TrainerClient } from '../inference/trainer-client.js';
import { appVersion } from '../version.js';
import { checkConnection, longLived, maskUrl } from './redis-url.js';
import { fetchDataset } from './dataset-transfer.js';
import { HEARTBEAT_MS, keys, PREFIX, queueName, type PoolJobData } from './keys.js';
import { runJob } from './worker-job.js';

export interface PoolWorkerOptions {
  url: string;
  name?: string;
  concurrency?: number;
  threads?: number | null;
  backend?: BackendChoice | null;
  /** Seconds without a lock renewal before a run counts as stalled and moves to another worker (default 30). */
  stallSeconds?: number;
  /** Every trainer event of every job, with the job's run id (the CLI prints them). */
  onEvent?: (event: TrainerEvent, runId: number) => void;
  spawn?: TrainerSpawner;
}

export interface PoolWorker {
  info: WorkerInfo;
  close(): Promise<void>;
}

/** The first backend that loads in a trainer process here: tfjs-node, else wasm, else cpu. */
async function probeBackend(spawn: TrainerSpawner): Promise<BackendChoice> {
  const client = new TrainerClient(spawn);
  try {
    const list = (await client.request({ type: 'backends' }, 'backends')).backends;
    return list.find((b) => b.available)?.name ?? 'cpu';
  } finally {
    client.close();
  }
}

export async function startWorker(opts: PoolWorkerOptions): Promise<PoolWorker> {
  await checkConnection(opts.url);
  const masked = maskUrl(opts.url);
  const version = appVersion();
  const redis = longLived(opts.url);
  redis.on('error', () => undefined); // ioredis reconnects; BullMQ's worker reports on its own connection
  const owner = await redis.hgetall(keys.owner);
  if (owner.version && owner.version !== version) {
    redis.disconnect();
    throw conflict(`refused: this worker is Digit Workbench ${version}, the owner at ${masked} (${owner.host}) runs ${owner.version}; install the same version on both`);
  }
  const name = opts.name ?? hostname();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new WorkbenchError('bad-input', `--name must be 1–64 letters, digits, dots, dashes or underscores (got "${name}")`);
  const taken = await redis.get(keys.worker(name));
  if (taken) {
    const other = JSON.parse(taken) as WorkerInfo;
    // The same machine's previous worker, killed before its heartbeat expired, does not block a restart.
    if (other.host !== hostname() || alive(other.pid)) {
      redis.disconnect();
      throw conflict(`a worker named "${name}" is already connected (host ${other.host}, pid ${other.pid}); give this one another --name`);
    }
  }
  const spawn = opts.spawn ?? nodeTrainerSpawner;
  const backend = opts.backend ?? (await probeBackend(spawn));
  const stallMs = Math.round((opts.stallSeconds ?? 30) * 1000);
  const info: WorkerInfo = {
    name,
    host: hostname(),
    pid: process.pid,
    cores: cpus().length,
    backend,
    threads: opts.threads ?? null,
    concurrency: opts.concurrency ?? 1,
    version,
    current: [],
    lastHeartbeat: new Date().toISOString(),
  };
  const beat = () => {
    info.lastHeartbeat = new Date().toISOString();
    return redis.set(keys.worker(name), JSON.stringify(info), 'PX', HEARTBEAT_MS * 3);
  };
  await beat();
  const heartbeat = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);

  const datasets = new Map<string, Promise<{ pixels: Uint8Array; labels: Uint8Array }>>();
  const dataset = (ref: PoolJobData['dataset']) => {
    const key = `${ref.sha256}:${ref.content}`;
    let found = datasets.get(key);
    if (!found) {
      // A seed group trains one dataset many times: keep the last two in memory (never on disk).
      found = fetchDataset(redis, ref);
      found.catch(() => datasets.delete(key));
      datasets.set(key, found);
      while (datasets.size > 2) datasets.delete(datasets.keys().next().value!);
    }
    return found;
  };
  const lost = new Set<string>();
  const connection = longLived(opts.url);
  connection.on('error', () => undefined); // BullMQ reports it as the worker's 'error' below
  const worker = new Worker(
    queueName(version),
    async (job) => {
      const data = job.data as PoolJobData;
      const current = { runId: data.runId, ownerHost: data.ownerHost, epoch: 0 };
      info.current.push(current);
      try {
        await runJob({
          jobId: job.id!,
          data,
          redis,
          worker: name,
          backend,
          threads: opts.threads ?? null,
          spawn,
          dataset,
          lost: () => lost.has(job.id!),
          onEvent: (event) => {
            if (event.type === 'epoch') current.epoch = event.metrics.epoch;
            opts.onEvent?.(event, data.runId);
          },
        });
      } finally {
        info.current.splice(info.current.indexOf(current), 1);
      }
      if (lost.delete(job.id!)) throw new Error(`worker ${name} lost the job's lock (Redis was unreachable too long); another worker continues it`);
    },
    {
      connection,
      prefix: PREFIX,
      name,
      concurrency: info.concurrency,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      // A run whose workers die five times in a row fails with BullMQ's reason instead of looping forever.
      maxStalledCount: 5,
    },
  );
  worker.on('error', () => undefined); // connection errors while Redis restarts: ioredis reconnects
  worker.on('lockRenewalFailed', (ids: string[]) => ids.forEach((id) => lost.add(id)));
  await worker.waitUntilReady();
  return {
    info,
    async close() {
      clearInterval(heartbeat);
      // With Redis gone, BullMQ's close would wait for a reconnection forever: give it two seconds.
      const grace = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await grace(worker.close(true));
      await grace(redis.del(keys.worker(name)));
      redis.disconnect();
      connection.disconnect();
    },
  };
}
