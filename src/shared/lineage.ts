// Where a run came from and what its per-run log holds, as the UI, the CLI and the contract see them.

import type { KernelInfo } from './trainer-protocol.js';

export interface RunLineage {
  appVersion: string;
  /** The commit of the checkout the app ran from; null for an installed app. */
  gitCommit: string | null;
  datasetSha256: string;
  backend: string;
  backendVersion: string | null;
  /** The native backend's oneDNN version, instruction set and threads (absent on other backends and older runs). */
  kernels?: KernelInfo | null;
  /** Data-parallel training threads in the trainer. */
  workers: number;
  host: string;
  os: string;
  cpus: number;
  node: string;
  electron: string | null;
}

export interface RunLogLine {
  seq: number;
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface RunLogPage {
  lines: RunLogLine[];
  /** Pass as `offset` to get the lines after these (a live run keeps adding). */
  next: number;
}
