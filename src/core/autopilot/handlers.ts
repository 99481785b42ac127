// The autopilot's facade methods: preview a plan, start, list, inspect, stop and resume jobs.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import { getJob, listJobs } from './jobs-repo.js';
import type { AutopilotManager } from './manager.js';

export function autopilotHandlers(wb: WorkbenchContext & { readonly autopilot: AutopilotManager }): HandlersOf<MethodsOf<'autopilot'>> {
  return {
    'autopilot:plan': (args) => wb.autopilot.plan(args),
    // A pool without workers of this version is refused before a job is written (it would spend the budget waiting).
    'autopilot:start': async (args) => {
      if (args.target === 'pool') await wb.pool.trainingSlots();
      return wb.autopilot.start(args);
    },
    'autopilot:list': () => listJobs(wb.db),
    'autopilot:get': ({ id }) => getJob(wb.db, id),
    'autopilot:stop': ({ id }) => wb.autopilot.stop(id),
    'autopilot:resume': ({ id }) => wb.autopilot.resume(id),
  };
}
