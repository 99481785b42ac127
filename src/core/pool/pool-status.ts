// What the pool looks like now: workers by their heartbeat keys, and the queue's counts and jobs.

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PoolJob, WorkerInfo, WorkersStatus } from '../../shared/workers.js';
import { keys, type PoolJobData } from './keys.js';

export async function listWorkers(redis: Redis): Promise<WorkerInfo[]> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 200);
    cursor = next;
    names.push(...found);
  } while (cursor !== '0');
  if (names.length === 0) return [];
  const values = await redis.mget(...names);
  return values
    .flatMap((v) => (v ? [JSON.parse(v) as WorkerInfo] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function queueStatus(queue: Queue): Promise<WorkersStatus['queue']> {
  const counts = await queue.getJobCounts('waiting', 'active', 'failed', 'prioritized');
  const jobs = await queue.getJobs(['active', 'waiting', 'prioritized', 'failed'], 0, 99);
  const list: PoolJob[] = await Promise.all(
    jobs.map(async (j) => {
      const d = j.data as PoolJobData;
      return { jobId: j.id ?? '', runId: d.runId, ownerHost: d.ownerHost, state: await j.getState() };
    }),
  );
  return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, failed: counts.failed ?? 0, jobs: list };
}
