// The training domain's facade methods: presets, starting, listing, stopping, resuming and editing runs.

import type { RunStatus } from '../../shared/runs.js';
import { conflict } from '../../shared/errors.js';
import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import { presets } from './presets.js';
import * as runs from './runs-repo.js';
import { previewRun, queueRuns } from './start.js';
import { resumeRefusal, trainedWith } from './resume-conditions.js';
import { findLearningRate } from './lr-find.js';
import { readRunLog } from './run-log.js';

const RESUMABLE: RunStatus[] = ['stopped', 'interrupted', 'failed'];

/** Every `runs:` method but the model export (the inference domain's). */
type TrainingMethods = Exclude<MethodsOf<'runs'>, 'runs:export-model'> | MethodsOf<'presets'>;

export function trainingHandlers(wb: WorkbenchContext): HandlersOf<TrainingMethods> {
  return {
    'presets:list': () => Object.values(presets),
    'runs:preview': ({ preset, hyperparams }) => ({ summary: previewRun(preset, hyperparams).summary }),
    'runs:start': (args) => {
      const ids = queueRuns(wb.db, args);
      for (const runId of ids) wb.emit({ type: 'run:status', runId, status: 'queued', error: null });
      wb.runs.pump();
      return ids.map((id) => runs.getRun(wb.db, id));
    },
    'runs:lr-find': (args) => findLearningRate(wb.predictContext, args),
    'runs:list': (q) => runs.listRuns(wb.db, q ?? {}),
    'runs:get': ({ id }) => runs.getRunDetail(wb.db, id),
    'runs:stop': ({ id }) => {
      const status = runs.requestStop(wb.db, id);
      if (status === 'stopped') wb.emit({ type: 'run:status', runId: id, status, error: null });
      else wb.runs.forwardStop(id);
      return runs.getRun(wb.db, id);
    },
    'runs:resume': async ({ id, force }) => {
      const run = runs.getRunDetail(wb.db, id);
      if (!force && trainedWith(run) && RESUMABLE.includes(run.status)) {
        const refusal = resumeRefusal(run, await wb.backendsHere());
        if (refusal) throw conflict(refusal, { backend: run.backend, workers: run.workers });
      }
      runs.requeue(wb.db, id);
      wb.runs.queueResume(id, { force: force === true });
      wb.emit({ type: 'run:status', runId: id, status: 'queued', error: null });
      wb.runs.pump();
      return runs.getRun(wb.db, id);
    },
    'runs:delete': ({ id }) => {
      runs.deleteRun(wb.db, id);
      wb.emit({ type: 'run:changed', runId: id, deleted: true });
      return { id };
    },
    'runs:log': ({ id, offset }) => readRunLog(wb.db, id, offset ?? 0),
    'runs:update': ({ id, notes, tags }) => {
      runs.updateRunMeta(wb.db, id, { notes, tags });
      wb.emit({ type: 'run:changed', runId: id, deleted: false });
      return runs.getRun(wb.db, id);
    },
  };
}
