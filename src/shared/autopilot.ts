// Autopilot: the best submission a time budget allows. Its plan, jobs and result as the core, the UI and the CLI
// see them, and the budget's text form ("90s", "15m", "1h", "1h30m").

import type { PresetName } from './hyperparams.js';
import type { RunTarget } from './runs.js';

/** Budgets under a minute leave no room to train anything; over a day is a typo. */
export const MIN_BUDGET_SECONDS = 60;
export const MAX_BUDGET_SECONDS = 24 * 3600;
/** The job must end within the budget + this share (the "never overrun"). */
export const OVERRUN_TOLERANCE = 0.03;
/** Test-time augmentation: the image and four one-pixel shifts (src/trainer/inference.ts). */
export const TTA_VIEWS = 5;

/** Parses "90s", "15m", "1h", "1h30m", "2.5h" or a bare number of minutes; the message names what was wrong. */
export function parseBudget(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === '') throw new Error('the budget is empty: give a time such as 90s, 15m or 1h');
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(t)) seconds = Number(t) * 60;
  else {
    const parts = [...t.matchAll(/(\d+(?:\.\d+)?)\s*(h|m|s)/g)];
    const rebuilt = parts.map((p) => p[0]).join('');
    if (parts.length === 0 || rebuilt !== t.replace(/\s+/g, '')) {
      throw new Error(`"${text}" is not a time: use a number with s, m or h (90s, 15m, 1h, 1h30m)`);
    }
    const unit = { h: 3600, m: 60, s: 1 } as const;
    seconds = parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
  }
  seconds = Math.round(seconds);
  if (seconds < MIN_BUDGET_SECONDS) throw new Error(`"${text}" is under a minute: an autopilot needs at least 1m to train and predict`);
  if (seconds > MAX_BUDGET_SECONDS) throw new Error(`"${text}" is over 24h: split the work, or give a shorter budget`);
  return seconds;
}

/** 3125 → "52 min 5 s"; 45 → "45 s"; 5400 → "1 h 30 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 || s >= 600 ? `${Math.round(s / 60)} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** What one preset costs on this machine (or the pool), measured. */
export interface Throughput {
  preset: PresetName;
  /** One epoch on the whole training split, its validation included. */
  epochSeconds: number;
  /** Starting a member: the trainer process, backend and data, and the first epoch's warm-up beyond a steady one. */
  startupSeconds: number;
  /** Test rows predicted per second, one view each. */
  predictRowsPerSecond: number;
  /** Where the figures come from: earlier runs (their ids) or a calibration run just now. */
  source: { kind: 'runs'; runIds: number[] } | { kind: 'calibration' };
}

export interface PlannedMember {
  preset: PresetName;
  epochs: number;
  seed: number;
}

export interface AutopilotPlan {
  members: PlannedMember[];
  /** Members training at once (1 here; the pool's workers with --queue). */
  slots: number;
  tta: boolean;
  /** Predicted seconds of each stage, and their sum (calibration already spent included). */
  seconds: { calibration: number; training: number; prediction: number; export: number; total: number };
  /** One line: "3 × cnn-strong, 9 epochs each, TTA 5 views: 52 min predicted". */
  headline: string;
  /** Why: the figures it used and the choices they led to. */
  reasons: string[];
  /** What it will cut, in order, if a member runs slow. */
  cuts: string[];
  /** The throughput figures the plan rests on. */
  throughput: Throughput[];
}

export const AUTOPILOT_STATUSES = ['running', 'completed', 'stopped', 'interrupted', 'failed'] as const;
export type AutopilotStatus = (typeof AUTOPILOT_STATUSES)[number];
export const AUTOPILOT_STAGES = ['calibrating', 'training', 'selecting', 'predicting', 'done'] as const;
export type AutopilotStage = (typeof AUTOPILOT_STAGES)[number];

export interface AutopilotMember {
  runId: number;
  preset: PresetName;
  /** Epochs it was given (fewer than planned when the budget tightened). */
  epochs: number;
  epochsDone: number;
  status: string;
  bestValAcc: number | null;
}

export interface AutopilotJobInfo {
  id: number;
  datasetId: number;
  testDatasetId: number;
  budgetSeconds: number;
  /** Seconds the job has been working (a job stopped or interrupted does not spend its budget meanwhile). */
  elapsedSeconds: number;
  target: RunTarget;
  status: AutopilotStatus;
  stage: AutopilotStage;
  plan: AutopilotPlan | null;
  members: AutopilotMember[];
  /** The run ids greedy forward selection kept, and their ensemble's validation accuracy. */
  ensemble: number[];
  valAcc: number | null;
  tta: boolean | null;
  submissionId: number | null;
  /** Where the submission was written (null in serve mode's browser: it downloads it instead). */
  submissionPath: string | null;
  /** What the job cut on the way (a member stopped early, TTA dropped), in order. */
  notes: string[];
  error: string | null;
  createdAt: string;
  endedAt: string | null;
}

/** The CLI's --json: exactly these fields. */
export interface AutopilotJson {
  id: number;
  budgetSeconds: number;
  elapsedSeconds: number;
  members: { runId: number; preset: string; epochs: number; bestValAcc: number | null }[];
  ensemble: number[];
  valAcc: number | null;
  submission: string | null;
}

export function autopilotJson(job: AutopilotJobInfo): AutopilotJson {
  return {
    id: job.id,
    budgetSeconds: job.budgetSeconds,
    elapsedSeconds: Math.round(job.elapsedSeconds * 10) / 10,
    members: job.members.map((m) => ({ runId: m.runId, preset: m.preset, epochs: m.epochsDone, bestValAcc: m.bestValAcc })),
    ensemble: job.ensemble,
    valAcc: job.valAcc,
    submission: job.submissionPath,
  };
}
