// The sweeps domain's facade methods: plan and start a sweep, list, inspect, stop and resume sweeps.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import { planSweep } from './plan.js';
import { sweepDetail } from './detail.js';
import * as sweepsRepo from './sweeps-repo.js';

export function sweepHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'sweeps'>> {
  return {
    'sweeps:start': async (args) => {
      const spec = planSweep(wb.db, args);
      // A pool sweep fails here, once, rather than in each trial: no URL, or Redis unreachable.
      if (spec.target === 'pool') await wb.pool.owner();
      const id = sweepsRepo.createSweep(wb.db, spec);
      try {
        await wb.sweeps.fill(id);
      } catch (err) {
        // The first trial could not be queued (e.g. a validation split that leaves nothing): no empty sweep stays.
        wb.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
        throw err;
      }
      return sweepsRepo.sweepInfo(wb.db, id);
    },
    'sweeps:list': () => sweepsRepo.listSweeps(wb.db),
    'sweeps:get': ({ id }) => sweepDetail(wb.db, id),
    'sweeps:stop': ({ id }) => wb.sweeps.stop(id),
    'sweeps:resume': ({ id }) => wb.sweeps.resume(id),
  };
}
