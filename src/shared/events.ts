// Push events from the core to every client (Electron window, serve-mode browsers, CLI progress output).

import type { EpochMetrics, RunProgress, RunStatus } from './runs.js';
import type { EmbeddingStage } from './embedding.js';

export type WorkbenchEvent =
  | { type: 'import:progress'; file: string; bytesRead: number; totalBytes: number }
  | { type: 'datasets:changed' }
  | { type: 'run:status'; runId: number; status: RunStatus; error: string | null }
  | { type: 'run:progress'; progress: RunProgress }
  /** The trainer resolved its backend (recorded on the run): views show it while the run trains. */
  | { type: 'run:started'; runId: number; backend: string; backendNote: string | null }
  | { type: 'run:epoch'; runId: number; metrics: EpochMetrics }
  | { type: 'run:log'; runId: number; level: string; message: string }
  /** A run's notes/tags changed, or it was deleted. */
  | { type: 'run:changed'; runId: number; deleted: boolean }
  | { type: 'settings:changed' }
  /** The desktop app's menu asks the window to show a view (a hash route such as "#/runs"). */
  | { type: 'app:navigate'; route: string }
  /** Test-set prediction progress (images done over images to do, every run and TTA view counted). */
  | { type: 'predict:progress'; done: number; total: number }
  | { type: 'submissions:changed' }
  /** An embedding map being computed: activations (images), neighbours (the k-NN graph), layout (UMAP epochs). */
  | { type: 'embedding:progress'; runId: number; stage: EmbeddingStage; done: number; total: number }
  /** A sweep's status or trials changed (a trial queued, finished or pruned). */
  | { type: 'sweep:changed'; sweepId: number }
  /** An autopilot job moved on (its stage, members, elapsed time: every second while it works). */
  | { type: 'autopilot:changed'; jobId: number };

export type WorkbenchEventListener = (event: WorkbenchEvent) => void;
