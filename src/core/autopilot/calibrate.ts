// Measuring presets for a plan: figures from earlier runs when there are some, else a calibration run — a real run
// of the preset on the job's dataset, stopped once its batches run at a steady rate (kept, tagged "calibration":
// deleting it would hand its id to the next run, and a tab showing it would then show another run). The
// strongest preset goes first; the next is measured only when the stronger one does not fit the budget.

import type { Throughput } from '../../shared/autopilot.js';
import type { PresetName } from '../../shared/hyperparams.js';
import type { RunTarget } from '../../shared/runs.js';
import { WorkbenchError } from '../../shared/errors.js';
import type { WorkbenchContext } from '../handlers.js';
import { presets } from '../training/presets.js';
import * as runsRepo from '../training/runs-repo.js';
import { CalibrationMeter, throughputFromRuns, throughputOfRuns } from './throughput.js';
import { CANDIDATES, fitsMinimum, type PlanInput } from './planner.js';

export interface Rows {
  trainRows: number;
  valRows: number;
  testRows: number;
}

export interface MeasureOptions {
  datasetId: number;
  target: RunTarget;
  backend: string;
  rows: Rows;
  /** The planner's input without throughput (to ask whether a preset fits). */
  input: Omit<PlanInput, 'throughput'>;
  /** Figures measured earlier in this process (a plan previewed, then started). */
  cached: Map<string, Throughput>;
  /** Tags for the calibration runs (so a job's leftovers can be found). */
  tags: string[];
  /** Checked while a calibration runs: true stops it. */
  cancelled: () => boolean;
  onCalibrating?: (preset: PresetName) => void;
}

export const cacheKey = (o: { datasetId: number; target: RunTarget; backend: string }, preset: PresetName) => `${o.datasetId}:${o.target}:${o.backend}:${preset}`;

/** The candidates measured, strongest first, up to the first that fits its minimum epochs. */
export async function measure(wb: WorkbenchContext, o: MeasureOptions): Promise<Throughput[]> {
  const out: Throughput[] = [];
  for (const preset of CANDIDATES) {
    const key = cacheKey(o, preset);
    let t = throughputFromRuns(wb.db, { datasetId: o.datasetId, preset, backend: o.target === 'pool' ? null : o.backend, target: o.target, ...o.rows }) ?? o.cached.get(key) ?? null;
    if (!t) {
      o.onCalibrating?.(preset);
      const budget = o.input.budgetSeconds;
      t = await calibrate(wb, { ...o, preset, window: Math.min(10, Math.max(2, 0.005 * budget)), maxSeconds: Math.min(60, Math.max(12, 0.03 * budget)) });
      o.cached.set(key, t);
    }
    out.push(t);
    if (fitsMinimum(t, { ...o.input, throughput: out })) break;
  }
  return out;
}

async function calibrate(wb: WorkbenchContext, o: MeasureOptions & { preset: PresetName; window: number; maxSeconds: number }): Promise<Throughput> {
  const [run] = await wb.handle('runs:start', { datasetId: o.datasetId, preset: o.preset, hyperparams: { epochs: 3 }, target: o.target });
  runsRepo.updateRunMeta(wb.db, run.id, { tags: o.tags, notes: `autopilot calibration of ${o.preset}: timed until its batches ran at a steady rate, then stopped` });
  const meter = new CalibrationMeter({ runId: run.id, batchSize: presets[o.preset].hyperparams.batchSize, startedAt: Date.now() });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void wb.handle('runs:stop', { id: run.id }).catch(() => undefined);
  };
  const off = wb.on((event) => {
    if (meter.onEvent(event, Date.now(), o.window, o.maxSeconds)) stop();
  });
  const poll = setInterval(() => o.cancelled() && stop(), 250);
  try {
    const status = await wb.runs.waitFor(run.id);
    if (status === 'failed' || status === 'interrupted') {
      throw new WorkbenchError('trainer', `the calibration run of ${o.preset} ${status}: ${runsRepo.getRun(wb.db, run.id).error ?? 'no reason given'}`);
    }
    if (o.cancelled()) throw new WorkbenchError('conflict', 'stopped during calibration');
    // A small dataset may finish its epochs before a window was timed: its epochs are then the figure.
    const t = meter.throughput(o.preset, o.rows) ?? throughputOfRuns(wb.db, [run.id], { preset: o.preset, ...o.rows });
    if (!t) throw new WorkbenchError('trainer', `the calibration run of ${o.preset} ended before it timed a batch`);
    return { ...t, source: { kind: 'calibration' } };
  } finally {
    off();
    clearInterval(poll);
  }
}
