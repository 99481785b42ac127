// The autopilot's plan: from measured throughput (seconds per epoch, trainer start, prediction rate) it chooses the
// preset, the number of members and their epochs, and TTA, so that training, prediction and export end inside the
// budget. Pure arithmetic over the figures it is given (the tests pin it on fixed figures).

import { formatDuration, TTA_VIEWS, type AutopilotPlan, type PlannedMember, type Throughput } from '../../shared/autopilot.js';
import type { PresetName } from '../../shared/hyperparams.js';
import { badInput } from '../../shared/errors.js';

/** Strongest first: the planner takes the first preset that fits enough epochs. */
export const CANDIDATES: readonly PresetName[] = ['cnn-strong', 'seed-lenet5', 'dnn'];

/**
 * Epochs below `min` are not worth training (cnn-strong's validation is still far from its plateau); past `useful`
 * one more epoch gains less than another ensemble member trained as long (the 42,000-row curve: 0.941, 0.980, 0.983,
 * …, 0.991 at epoch 5, ≈0.995 by 12; seed-lenet5 and dnn flatten sooner). `max` is the preset's own recipe length.
 */
export const POLICY: Record<PresetName, { min: number; useful: number; max: number }> = {
  'cnn-strong': { min: 3, useful: 12, max: 30 },
  'seed-lenet5': { min: 3, useful: 10, max: 30 },
  dnn: { min: 2, useful: 8, max: 20 },
};

export const MAX_MEMBERS = 5;
/** The prediction process may have to start too; it loads like a trainer (3–5 s on a busy machine). */
const PREDICT_START_SECONDS = 5;

export interface PlanInput {
  budgetSeconds: number;
  /** Spent before planning (calibration runs; on resume, the job's elapsed time). */
  spentSeconds: number;
  trainRows: number;
  testRows: number;
  /** Candidates measured so far (only those a calibration reached). */
  throughput: Throughput[];
  /** Members that train at once: 1 on this machine, the pool's workers with --queue. */
  slots: number;
  /** For the reasons: the backend the figures were measured on. */
  backend: string;
}

/** What is kept back from the end: noise in the figures, the trainer's stop, writing the file. */
export function marginSeconds(budgetSeconds: number): number {
  return Math.max(8, 0.02 * budgetSeconds);
}

export function exportSeconds(testRows: number): number {
  return 2 + testRows / 20_000;
}

export function predictSeconds(t: Throughput, members: number, testRows: number, tta: boolean): number {
  return PREDICT_START_SECONDS + (members * testRows * (tta ? TTA_VIEWS : 1)) / t.predictRowsPerSecond;
}

/** Epochs each member gets when `members` train in waves of `slots` within `seconds`. */
export function epochsThatFit(t: Throughput, seconds: number, members: number, slots: number): number {
  const waves = Math.ceil(members / Math.max(1, slots));
  return Math.max(0, Math.floor((seconds / waves - t.startupSeconds) / t.epochSeconds));
}

interface Choice {
  members: number;
  epochs: number;
  tta: boolean;
}

function choose(t: Throughput, available: number, input: PlanInput): Choice & { why: string } {
  const policy = POLICY[t.preset];
  const slots = Math.max(1, input.slots);
  const train = (members: number, tta: boolean) => available - exportSeconds(input.testRows) - predictSeconds(t, members, input.testRows, tta);
  const fit = (members: number, tta: boolean) => Math.min(policy.max, epochsThatFit(t, train(members, tta), members, slots));
  // More members only once each gets its useful epochs; parallel slots are free compute, so fill them first.
  let members = 1;
  for (let m = 2; m <= MAX_MEMBERS; m++) {
    const inOneWave = m <= slots && fit(m, false) >= policy.min;
    if (inOneWave || fit(m, false) >= policy.useful) members = m;
  }
  let why: string;
  if (members === 1) why = `fewer than ${policy.useful} epochs fit twice: one member trained as long as possible beats an ensemble of short ones`;
  else if (members <= slots) why = `${members} members train at once on ${slots} workers`;
  else why = `each member needs about ${policy.useful} epochs to be worth ensembling: ${members} members fit`;
  const plain = fit(members, false);
  // TTA costs prediction time the members would otherwise train: worth it while it takes little from them.
  const withTta = fit(members, true);
  const tta = withTta >= policy.min && withTta >= Math.floor(plain * 0.85);
  return { members, epochs: tta ? withTta : plain, tta, why };
}

export function plan(input: PlanInput): AutopilotPlan {
  const margin = marginSeconds(input.budgetSeconds);
  const available = input.budgetSeconds - input.spentSeconds - margin;
  const reasons: string[] = [];
  const measured = CANDIDATES.map((p) => input.throughput.find((t) => t.preset === p)).filter((t): t is Throughput => t !== undefined);
  if (measured.length === 0) throw badInput('autopilot: no preset was measured on this machine (the calibration did not finish)');
  for (const t of measured) reasons.push(throughputReason(t, input));
  for (const [i, t] of measured.entries()) {
    const choice = choose(t, available, input);
    const last = i === measured.length - 1;
    if (choice.epochs < POLICY[t.preset].min && !(last && choice.epochs >= 1)) {
      if (last) break;
      reasons.push(`${t.preset}: only ${choice.epochs} epoch${choice.epochs === 1 ? '' : 's'} would fit (it needs ${POLICY[t.preset].min}), so a faster preset`);
      continue;
    }
    return build(t, choice, input, { available, margin, reasons });
  }
  const fastest = measured[measured.length - 1];
  const need = input.spentSeconds + margin + fastest.startupSeconds + fastest.epochSeconds + predictSeconds(fastest, 1, input.testRows, false) + exportSeconds(input.testRows);
  throw badInput(`the budget (${formatDuration(input.budgetSeconds)}) is too small here: one epoch of ${fastest.preset}, the prediction and the export need about ${formatDuration(need)}`);
}

function build(t: Throughput, choice: Choice & { why: string }, input: PlanInput, ctx: { available: number; margin: number; reasons: string[] }): AutopilotPlan {
  const slots = Math.max(1, input.slots);
  const waves = Math.ceil(choice.members / slots);
  const training = waves * (t.startupSeconds + choice.epochs * t.epochSeconds);
  const prediction = predictSeconds(t, choice.members, input.testRows, choice.tta);
  const exporting = exportSeconds(input.testRows);
  const total = input.spentSeconds + training + prediction + exporting;
  const members: PlannedMember[] = Array.from({ length: choice.members }, (_, i) => ({ preset: t.preset, epochs: choice.epochs, seed: i + 1 }));
  const extraTta = predictSeconds(t, choice.members, input.testRows, true) - predictSeconds(t, choice.members, input.testRows, false);
  const reasons = [
    ...ctx.reasons,
    `${formatDuration(ctx.available)} to spend: the budget less ${input.spentSeconds >= 1 ? `${formatDuration(input.spentSeconds)} already spent and ` : ''}a margin of ${formatDuration(ctx.margin)}`,
    `${t.preset}: ${choice.why}`,
    choice.tta
      ? `TTA (${TTA_VIEWS} views) costs ${formatDuration(extraTta)} more prediction: taken, it leaves the members ${choice.epochs} epochs`
      : `TTA (${TTA_VIEWS} views) would cost ${formatDuration(extraTta)} more prediction: left out, the epochs are worth more`,
  ];
  const cuts = [
    `each member has a deadline: one faster than measured trains on (up to twice its epochs) until it, one that runs slow is stopped at it and keeps its best epoch so far`,
    choice.members > 1
      ? `the members after it get fewer epochs (down to ${POLICY[t.preset].min}); below that the last one is dropped`
      : `with one member there is nothing after it to shorten`,
    choice.tta ? `prediction drops TTA (${TTA_VIEWS} views → 1) when less time is left than it needs` : `prediction already uses one view`,
    `the ensemble keeps only the members that can still be predicted in the time left`,
  ];
  const each = choice.members === 1 ? `${choice.epochs} epochs` : `${choice.epochs} epochs each`;
  const headline = `${choice.members} × ${t.preset}, ${each}, ${choice.tta ? `TTA ${TTA_VIEWS} views` : 'no TTA'}: ${formatDuration(total)} predicted`;
  return {
    members,
    slots,
    tta: choice.tta,
    seconds: { calibration: input.spentSeconds, training, prediction, export: exporting, total },
    headline,
    reasons,
    cuts,
    throughput: input.throughput,
  };
}

function throughputReason(t: Throughput, input: PlanInput): string {
  const from = t.source.kind === 'runs' ? `from run${t.source.runIds.length === 1 ? '' : 's'} ${t.source.runIds.join(', ')}` : 'measured by a calibration run';
  const where = input.slots > 1 ? `${input.backend}, ${input.slots} workers` : input.backend;
  return `${t.preset} on ${where}: ${t.epochSeconds.toFixed(1)} s an epoch of ${input.trainRows.toLocaleString('en-US')} digits, ${t.startupSeconds.toFixed(1)} s to start, ${Math.round(t.predictRowsPerSecond).toLocaleString('en-US')} test rows/s predicted (${from})`;
}

/** Does `t`'s preset fit its minimum epochs in this budget? (Calibration measures the next preset only if not.) */
export function fitsMinimum(t: Throughput, input: PlanInput): boolean {
  const available = input.budgetSeconds - input.spentSeconds - marginSeconds(input.budgetSeconds);
  return choose(t, available, input).epochs >= POLICY[t.preset].min;
}
