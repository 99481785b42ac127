// The worker pool as the UI and the CLI see it: connected workers and the queue of pool runs.

export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  cores: number;
  backend: string;
  /** Training threads per run (null: the engine's default). */
  threads: number | null;
  concurrency: number;
  version: string;
  /** The runs it trains now, with the host of the owner that queued them. */
  current: { runId: number; ownerHost: string; epoch: number }[];
  /** ISO time of its last heartbeat. */
  lastHeartbeat: string;
}

export interface PoolJob {
  jobId: string;
  runId: number;
  ownerHost: string;
  state: string;
}

export interface WorkersStatus {
  /** The Redis URL with its password masked; null when no pool is set up. */
  url: string | null;
  workers: WorkerInfo[];
  queue: { waiting: number; active: number; failed: number; jobs: PoolJob[] };
}
