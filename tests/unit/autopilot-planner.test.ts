// The autopilot's plan on fixed throughput figures: what fits, what it chooses, and the sums it shows.
import { describe, expect, it } from 'vitest';
import { epochsThatFit, exportSeconds, marginSeconds, plan, predictSeconds, type PlanInput } from '../../src/core/autopilot/planner.js';
import { autopilotJson, formatDuration, parseBudget, type AutopilotJobInfo, type Throughput } from '../../src/shared/autopilot.js';

const cnn: Throughput = { preset: 'cnn-strong', epochSeconds: 60, startupSeconds: 10, predictRowsPerSecond: 2000, source: { kind: 'runs', runIds: [3, 5] } };
const lenet: Throughput = { preset: 'seed-lenet5', epochSeconds: 10, startupSeconds: 5, predictRowsPerSecond: 10_000, source: { kind: 'calibration' } };
const dnn: Throughput = { preset: 'dnn', epochSeconds: 4, startupSeconds: 3, predictRowsPerSecond: 20_000, source: { kind: 'calibration' } };

const input = (over: Partial<PlanInput>): PlanInput => ({ budgetSeconds: 3600, spentSeconds: 0, trainRows: 37_800, testRows: 28_000, throughput: [cnn], slots: 1, backend: 'native', ...over });

describe('autopilot planner', () => {
  it('does the arithmetic it shows: margin, prediction, export, epochs per wave', () => {
    expect(marginSeconds(3600)).toBe(72);
    expect(marginSeconds(60)).toBe(8);
    expect(exportSeconds(28_000)).toBeCloseTo(3.4);
    // 5 s to start predicting, then 2 members × 28,000 rows × 5 views at 2,000 rows/s
    expect(predictSeconds(cnn, 2, 28_000, true)).toBeCloseTo(5 + 140);
    expect(predictSeconds(cnn, 2, 28_000, false)).toBeCloseTo(5 + 28);
    // 1000 s for 3 members on 2 slots: 2 waves of 500 s, 10 s to start → 8 epochs of 60 s
    expect(epochsThatFit(cnn, 1000, 3, 2)).toBe(8);
  });

  it('an hour of cnn-strong: an ensemble of members with their useful epochs, and TTA', () => {
    const p = plan(input({}));
    // available 3600 − 72 = 3528; 4 members: 3528 − 3.4 − (5 + 4·70) = 3239.6 → 809.9 s each → 13 epochs ≥ 12
    expect(p.members.map((m) => [m.preset, m.epochs])).toEqual([
      ['cnn-strong', 13],
      ['cnn-strong', 13],
      ['cnn-strong', 13],
      ['cnn-strong', 13],
    ]);
    expect(p.members.map((m) => m.seed)).toEqual([1, 2, 3, 4]);
    expect(p.tta).toBe(true);
    expect(p.seconds.training).toBeCloseTo(4 * (10 + 13 * 60));
    expect(p.seconds.prediction).toBeCloseTo(5 + 280);
    expect(p.seconds.total).toBeCloseTo(3160 + 285 + 3.4);
    expect(p.seconds.total).toBeLessThanOrEqual(3600);
    expect(p.headline).toBe('4 × cnn-strong, 13 epochs each, TTA 5 views: 57 min predicted');
    expect(p.reasons[0]).toMatch(/cnn-strong on native: 60\.0 s an epoch of 37,800 digits.*from runs 3, 5/);
    expect(p.cuts.join('\n')).toMatch(/trains on \(up to twice its epochs\)[\s\S]*stopped at it and keeps its best epoch[\s\S]*fewer epochs \(down to 3\)[\s\S]*drops TTA/);
  });

  it('fifteen minutes: one member trained as long as it fits beats short ones', () => {
    const p = plan(input({ budgetSeconds: 900 }));
    // 900 − 18 = 882; − 3.4 − (5 + 70) = 803.6 → (803.6 − 10) / 60 → 13 epochs with TTA; two would get 6 each (< 12)
    expect(p.members).toHaveLength(1);
    expect(p.members[0].epochs).toBe(13);
    expect(p.reasons.join('\n')).toMatch(/one member trained as long as possible/);
  });

  it('leaves TTA out when it would take more than 15% of the epochs', () => {
    const slowPredict = { ...cnn, predictRowsPerSecond: 400 };
    const p = plan(input({ budgetSeconds: 900, throughput: [slowPredict] }));
    expect(p.tta).toBe(false);
    expect(p.headline).toMatch(/no TTA/);
  });

  it('the pool multiplies the compute: members fill its workers at once', () => {
    const p = plan(input({ budgetSeconds: 900, slots: 3 }));
    // 3 members in one wave: 882 − 3.4 − (5 + 3·14) = 831.6 → 13 epochs each; TTA (5 + 3·70 s) would leave 10 < 85%
    expect(p.members).toHaveLength(3);
    expect(p.members[0].epochs).toBe(13);
    expect(p.tta).toBe(false);
    expect(p.seconds.training).toBeCloseTo(10 + 13 * 60);
    expect(p.reasons.join('\n')).toMatch(/3 members train at once on 3 workers/);
  });

  it('falls back to a faster preset when the strongest does not fit its minimum epochs', () => {
    const p = plan(input({ budgetSeconds: 180, throughput: [cnn, lenet], testRows: 2000 }));
    // cnn-strong: 172 − 3.1 − 6 = 162.9 s → 2 epochs of 60 s after its 10 s start
    expect(p.members[0].preset).toBe('seed-lenet5');
    expect(p.reasons.join('\n')).toMatch(/cnn-strong: only 2 epochs would fit \(it needs 3\)/);
  });

  it('refuses a budget too small for one epoch of the fastest preset, saying what it needs', () => {
    expect(() => plan(input({ budgetSeconds: 60, spentSeconds: 50, throughput: [dnn], testRows: 2000 }))).toThrow(/too small here: one epoch of dnn, the prediction and the export need about 1 min/);
  });

  it('plans within the budget whatever the figures', () => {
    for (const budget of [120, 600, 1800, 3600, 7200]) {
      for (const slots of [1, 2, 4]) {
        const p = plan(input({ budgetSeconds: budget, throughput: [cnn, lenet, dnn], slots, testRows: 28_000 }));
        expect(p.seconds.total).toBeLessThanOrEqual(budget - marginSeconds(budget) + 1e-6);
      }
    }
  });
});

describe('budget text', () => {
  it('reads seconds, minutes, hours and mixes', () => {
    expect(parseBudget('90s')).toBe(90);
    expect(parseBudget('15m')).toBe(900);
    expect(parseBudget('1h')).toBe(3600);
    expect(parseBudget('1h30m')).toBe(5400);
    expect(parseBudget('2.5h')).toBe(9000);
    expect(parseBudget('45')).toBe(2700);
  });

  it('says what is wrong with a bad one', () => {
    expect(() => parseBudget('abc')).toThrow(/"abc" is not a time: use a number with s, m or h/);
    expect(() => parseBudget('10x')).toThrow(/not a time/);
    expect(() => parseBudget('30s')).toThrow(/under a minute/);
    expect(() => parseBudget('25h')).toThrow(/over 24h/);
    expect(() => parseBudget(' ')).toThrow(/empty/);
  });

  it('formats durations as the plan shows them', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3125)).toBe('52 min');
    expect(formatDuration(5400)).toBe('1 h 30 min');
  });
});

describe('the CLI --json shape', () => {
  it('has exactly the fields the issue names', () => {
    const job = {
      id: 4, datasetId: 1, testDatasetId: 2, budgetSeconds: 900, elapsedSeconds: 871.26, target: 'local', status: 'completed', stage: 'done', plan: null,
      members: [{ runId: 7, preset: 'cnn-strong', epochs: 9, epochsDone: 8, status: 'stopped', bestValAcc: 0.99 }],
      ensemble: [7], valAcc: 0.99, tta: true, submissionId: 3, submissionPath: '/x/sub.csv', notes: [], error: null, createdAt: 'now', endedAt: 'now',
    } satisfies AutopilotJobInfo;
    const json = autopilotJson(job);
    expect(Object.keys(json)).toEqual(['id', 'budgetSeconds', 'elapsedSeconds', 'members', 'ensemble', 'valAcc', 'submission']);
    expect(json.members).toEqual([{ runId: 7, preset: 'cnn-strong', epochs: 8, bestValAcc: 0.99 }]);
    expect(json.elapsedSeconds).toBe(871.3);
    expect(json.submission).toBe('/x/sub.csv');
  });
});
