// A resume continues a run under the conditions it trained with. The same seed gives the same metrics only on the
// same backend with the same number of training workers (kernels differ between backends; a batch's gradient is
// summed in a fixed order per worker count), so a resume pins both, or is refused when the backend cannot load
// here — unless forced, and then the run records the change.

import type { RunInfo } from '../../shared/runs.js';
import type { BackendAvailability, BackendChoice } from '../../shared/trainer-protocol.js';

const BACKENDS: readonly string[] = ['tensorflow', 'wasm', 'cpu'] satisfies BackendChoice[];

export interface TrainedWith {
  backend: BackendChoice;
  /** null for runs recorded before the worker count was (the engine's default then). */
  workers: number | null;
}

const workersText = (n: number | null) => (n === null ? 'an unrecorded number of workers' : `${n} worker${n === 1 ? '' : 's'}`);

/** What a run with completed epochs trained with; null when nothing completed (a restart is a fresh start). */
export function trainedWith(run: Pick<RunInfo, 'backend' | 'workers' | 'epochsDone'>): TrainedWith | null {
  if (run.epochsDone === 0 || run.backend === null || !BACKENDS.includes(run.backend)) return null;
  return { backend: run.backend as BackendChoice, workers: run.workers };
}

/** Why resuming here would change the run's results, or null when its backend loads here. */
export function resumeRefusal(run: Pick<RunInfo, 'id' | 'backend' | 'workers' | 'epochsDone'>, here: BackendAvailability[]): string | null {
  const was = trainedWith(run);
  if (!was) return null;
  const found = here.find((b) => b.name === was.backend);
  if (found?.available) return null;
  const loads = here.filter((b) => b.available).map((b) => b.name);
  return (
    `run ${run.id} trained ${run.epochsDone} epoch${run.epochsDone === 1 ? '' : 's'} on ${was.backend} with ${workersText(was.workers)}; ` +
    `this machine cannot load ${was.backend} (${found?.reason ?? 'unknown backend'}) and has only ${loads.join(', ') || 'no backend'}: ` +
    `resuming here would change its results. Resume with force (digit-workbench resume ${run.id} --force) to continue on ` +
    `this machine's backend; the run then records the change`
  );
}

export const FORCED_NOTE_START = 'resumed with force';

/** The note a forced resume leaves on the run, beside the backend it now trains on. */
export function forcedResumeNote(was: TrainedWith, epochsDone: number, now: { backend: string; workers: number }): string {
  return (
    `${FORCED_NOTE_START} after epoch ${epochsDone}: ${epochsDone === 1 ? 'epoch 1' : `epochs 1–${epochsDone}`} trained on ${was.backend} with ${workersText(was.workers)}, ` +
    `the rest on ${now.backend} with ${workersText(now.workers)} (not reproducible as one run)`
  );
}
