// A resume continues a run under the conditions it trained with. The same seed gives the same metrics only on the
// same backend with the same number of training workers (kernels differ between backends; a batch's gradient is
// summed in a fixed order per worker count) and, on the native backend, the same instruction set (oneDNN's AVX2
// and AVX-512 kernels add in other orders), so a resume pins backend and workers, or is refused when the backend
// cannot load here or runs another instruction set — unless forced, and then the run records the change.

import type { RunLineage } from '../../shared/lineage.js';
import type { RunInfo } from '../../shared/runs.js';
import { BACKEND_NAMES, type BackendAvailability, type BackendChoice } from '../../shared/trainer-protocol.js';

const BACKENDS: readonly string[] = BACKEND_NAMES;

export interface TrainedWith {
  backend: BackendChoice;
  /** null for runs recorded before the worker count was (the engine's default then). */
  workers: number | null;
  /** The native kernels' instruction set (from the run's lineage); null on other backends. */
  isa: string | null;
}

const workersText = (n: number | null) => (n === null ? 'an unrecorded number of workers' : `${n} worker${n === 1 ? '' : 's'}`);

/** What a run with completed epochs trained with; null when nothing completed (a restart is a fresh start). */
export function trainedWith(run: Pick<RunInfo, 'backend' | 'workers' | 'epochsDone'> & { lineage?: RunLineage | null }): TrainedWith | null {
  if (run.epochsDone === 0 || run.backend === null || !BACKENDS.includes(run.backend)) return null;
  return { backend: run.backend as BackendChoice, workers: run.workers, isa: (run.backend === 'native' && run.lineage?.kernels?.isa) || null };
}

const on = (t: { backend: string; isa: string | null }) => (t.isa ? `${t.backend} (${t.isa})` : t.backend);

/** Why resuming here would change the run's results, or null when its backend loads here. */
export function resumeRefusal(
  run: Pick<RunInfo, 'id' | 'backend' | 'workers' | 'epochsDone'> & { lineage?: RunLineage | null }, here: BackendAvailability[],
): string | null {
  const was = trainedWith(run);
  if (!was) return null;
  const found = here.find((b) => b.name === was.backend);
  const isaHere = found?.kernels?.isa ?? null;
  if (found?.available && was.isa && isaHere && isaHere !== was.isa) {
    return (
      `run ${run.id} trained ${run.epochsDone} epoch${run.epochsDone === 1 ? '' : 's'} on ${on(was)}; oneDNN runs ${isaHere} kernels here, ` +
      `which add in another order: resuming here would change its results. Resume with force (digit-workbench resume ${run.id} --force) ` +
      `to continue with ${isaHere}; the run then records the change`
    );
  }
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
export function forcedResumeNote(was: TrainedWith, epochsDone: number, now: { backend: string; workers: number; kernels?: { isa: string } | null }): string {
  return (
    `${FORCED_NOTE_START} after epoch ${epochsDone}: ${epochsDone === 1 ? 'epoch 1' : `epochs 1–${epochsDone}`} trained on ${on(was)} with ${workersText(was.workers)}, ` +
    `the rest on ${on({ backend: now.backend, isa: now.kernels?.isa ?? null })} with ${workersText(now.workers)} (not reproducible as one run)`
  );
}
