// The label-issues domain's facade methods: start a cross-validated job, list jobs, read a job's suspects.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import { getLabelJob, labelIssues, listLabelJobs, startLabelJob } from './label-job.js';

export function labelHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'labels'>> {
  return {
    'labels:start': (args) => {
      const { key, runIds } = startLabelJob(wb.db, args);
      for (const runId of runIds) wb.emit({ type: 'run:status', runId, status: 'queued', error: null });
      wb.runs.pump();
      return getLabelJob(wb.db, key);
    },
    'labels:jobs': () => listLabelJobs(wb.db),
    'labels:issues': ({ key }) => labelIssues(wb.db, key),
  };
}
