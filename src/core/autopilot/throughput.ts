// What a preset costs here, measured: from earlier runs of it on the same dataset and backend when there are some,
// else from a short calibration run (a real run of the preset, stopped after a few seconds of steady batches and
// deleted). Figures for the pool come from earlier pool runs, else from a calibration run on the pool.

import { isDeepStrictEqual } from 'node:util';
import type { Throughput } from '../../shared/autopilot.js';
import type { PresetName } from '../../shared/hyperparams.js';
import type { RunTarget } from '../../shared/runs.js';
import type { WorkbenchEvent } from '../../shared/events.js';
import type { Db } from '../db/open.js';
import { presets } from '../training/presets.js';
import { epochsOf, getRunDetail } from '../training/runs-repo.js';

/** Forward passes run ~3× faster than training steps (no backward pass, no augmentation); 2.5 stays on the safe side. */
const PREDICT_OVER_TRAIN = 2.5;
const DEFAULT_STARTUP_SECONDS = 5;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Is this run the preset as it comes (the model and batch decide the time an epoch takes)? Compared as values: a
 * stored model spells its layers' keys in another order than the preset's literal.
 */
function asPreset(hp: { batchSize: number; model: unknown; augmentation: unknown; validation: { ratio: number } }, preset: PresetName): boolean {
  const p = presets[preset].hyperparams;
  return hp.batchSize === p.batchSize && isDeepStrictEqual(hp.model, p.model) && isDeepStrictEqual(hp.augmentation, p.augmentation) && hp.validation.ratio === p.validation.ratio;
}

/** Figures from the newest (up to 3) runs of `preset` on this dataset and backend with at least one epoch. */
export function throughputFromRuns(db: Db, opts: { datasetId: number; preset: PresetName; backend: string | null; target: RunTarget; trainRows: number; valRows: number }): Throughput | null {
  const ids = db
    .prepare(
      `SELECT id FROM runs WHERE dataset_id = ? AND preset = ? AND target = ? AND (? IS NULL OR backend = ?)
         AND status IN ('completed', 'stopped') AND EXISTS (SELECT 1 FROM epochs e WHERE e.run_id = runs.id) ORDER BY id DESC LIMIT 20`,
    )
    .pluck()
    .all(opts.datasetId, opts.preset, opts.target, opts.target === 'pool' ? null : opts.backend, opts.backend) as number[];
  const matching = ids.filter((id) => asPreset(getRunDetail(db, id).hyperparams, opts.preset)).slice(0, 3);
  return throughputOfRuns(db, matching, opts);
}

/** Figures from these runs' epochs (null when they have none). */
export function throughputOfRuns(db: Db, ids: number[], opts: { preset: PresetName; trainRows: number; valRows: number }): Throughput | null {
  const used: number[] = [];
  const epochSeconds: number[] = [];
  const predictRates: number[] = [];
  const startups: number[] = [];
  for (const id of ids) {
    const run = getRunDetail(db, id);
    const epochs = epochsOf(db, id);
    if (epochs.length === 0) continue;
    // The first epoch carries the warm-up (kernels chosen, buffers grown): the later ones are what a long run sees.
    const steady = epochs.length > 1 ? epochs.slice(1) : epochs;
    used.push(id);
    for (const e of steady) {
      epochSeconds.push(e.seconds);
      const evalSeconds = e.seconds - opts.trainRows / e.imagesPerSecond;
      predictRates.push(evalSeconds > 0.05 ? opts.valRows / evalSeconds : e.imagesPerSecond * PREDICT_OVER_TRAIN);
    }
    if (run.startedAt && run.endedAt) {
      const wall = (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000;
      // The first epoch's warm-up is part of starting: the steady epochs are what the rest costs.
      const overhead = wall - steady.reduce((s, e) => s + e.seconds, 0) * (epochs.length / steady.length);
      // A run resumed later has its pause in there: such an overhead says nothing about starting a trainer.
      if (overhead > 0 && overhead < 300) startups.push(overhead);
    }
  }
  if (used.length === 0) return null;
  return {
    preset: opts.preset,
    epochSeconds: median(epochSeconds),
    startupSeconds: startups.length ? Math.max(1, median(startups)) : DEFAULT_STARTUP_SECONDS,
    predictRowsPerSecond: median(predictRates),
    source: { kind: 'runs', runIds: used },
  };
}

/**
 * Collects a calibration run's progress into figures (the caller starts and stops the run). The first seconds of a
 * trainer are slow (kernels chosen, buffers grown: a dnn epoch of 7,200 digits took 7.8 s first, 2.4 s after), so
 * the rate counts only once two consecutive windows agree within 10%, or the time allowed is up.
 */
export class CalibrationMeter {
  readonly #runId: number;
  readonly #batchSize: number;
  readonly #started: number;
  #epoch = 0;
  #points: { seconds: number; images: number }[] = [];
  #startup: number | null = null;
  #rate: number | null = null;
  /** Seconds of the first epoch lost to warming up: its time so far less its images at the settled rate. */
  #warmup = 0;

  constructor(opts: { runId: number; batchSize: number; startedAt: number }) {
    this.#runId = opts.runId;
    this.#batchSize = opts.batchSize;
    this.#started = opts.startedAt;
  }

  /** Images per second between the points nearest `from` and `to` seconds into the epoch. */
  #rateBetween(from: number, to: number): number | null {
    const at = (t: number) => this.#points.reduce((best, p) => (Math.abs(p.seconds - t) < Math.abs(best.seconds - t) ? p : best));
    const a = at(from);
    const b = at(to);
    return b.seconds - a.seconds > 0.2 ? (b.images - a.images) / (b.seconds - a.seconds) : null;
  }

  /** Feed every workbench event; returns true once the rate is settled (or `maxSeconds` have passed). */
  onEvent(event: WorkbenchEvent, now: number, window: number, maxSeconds: number): boolean {
    if (event.type !== 'run:progress' || event.progress.runId !== this.#runId) return false;
    const p = event.progress;
    if (this.#startup === null) this.#startup = Math.max(0, (now - this.#started) / 1000 - p.seconds);
    // A new epoch starts a new series (the validation pass between them is not training).
    if (p.epoch !== this.#epoch) {
      this.#epoch = p.epoch;
      this.#points = [];
    }
    this.#points.push({ seconds: p.seconds, images: p.batch * this.#batchSize });
    const t = p.seconds;
    const last = this.#rateBetween(t - window, t);
    const before = this.#rateBetween(t - 2 * window, t - window);
    if (last !== null && (this.#rate === null || t >= window)) this.#rate = last;
    if (this.#rate !== null && p.epoch === 1) this.#warmup = Math.max(0, t - (p.batch * this.#batchSize) / this.#rate);
    const settled = t >= 2 * window && last !== null && before !== null && Math.abs(last - before) <= 0.1 * last;
    return settled || (now - this.#started) / 1000 >= maxSeconds;
  }

  /** Training images per second, the last window's (null until one was timed). */
  imagesPerSecond(): number | null {
    return this.#rate;
  }

  throughput(preset: PresetName, rows: { trainRows: number; valRows: number }): Throughput | null {
    const rate = this.imagesPerSecond();
    if (rate === null || rate <= 0) return null;
    const predictRate = rate * PREDICT_OVER_TRAIN;
    return {
      preset,
      epochSeconds: rows.trainRows / rate + rows.valRows / predictRate,
      startupSeconds: Math.max(1, (this.#startup ?? DEFAULT_STARTUP_SECONDS) + this.#warmup),
      predictRowsPerSecond: predictRate,
      source: { kind: 'calibration' },
    };
  }
}
