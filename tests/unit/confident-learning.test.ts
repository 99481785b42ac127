// Confident learning on hand-made probability matrices: thresholds, the confident joint, its calibration and the
// ranked issues, plus the stratified k-fold assignment the label-issues job trains on.
import { describe, expect, it } from 'vitest';
import { calibrateJoint, classThresholds, confidentJoint, findLabelIssues } from '../../src/core/labels/confident-learning.js';
import { foldAssignment, splitIndices } from '../../src/core/training/split.js';

/** Rows of [label, {class: probability}]; the rest of the mass spread evenly over the other classes. */
function matrix(rows: [number, Record<number, number>][]): { labels: Uint8Array; probs: Float32Array } {
  const labels = Uint8Array.from(rows.map(([l]) => l));
  const probs = new Float32Array(rows.length * 10);
  rows.forEach(([, given], i) => {
    const rest = (1 - Object.values(given).reduce((a, b) => a + b, 0)) / (10 - Object.keys(given).length);
    for (let j = 0; j < 10; j++) probs[i * 10 + j] = given[j] ?? rest;
  });
  return { labels, probs };
}

// Eight clean 0s, eight clean 1s, two 1s labelled 0 (rows 16, 17) and one ambiguous 0 (row 18).
const clean = (label: number, p: number): [number, Record<number, number>] => [label, { [label]: p }];
const data = matrix([
  ...Array.from({ length: 8 }, () => clean(0, 0.9)),
  ...Array.from({ length: 8 }, () => clean(1, 0.9)),
  [0, { 0: 0.05, 1: 0.9 }],
  [0, { 0: 0.02, 1: 0.95 }],
  [0, { 0: 0.45, 1: 0.5 }],
]);

describe('confident learning', () => {
  it('thresholds are the mean self-confidence of each class', () => {
    const t = classThresholds(data.labels, data.probs);
    expect(t[0]).toBeCloseTo((8 * 0.9 + 0.05 + 0.02 + 0.45) / 11, 5);
    expect(t[1]).toBeCloseTo(0.9, 5);
    expect(t[2]).toBe(Infinity); // nobody is labelled 2
  });

  it('the confident joint counts each row under its most probable class above threshold', () => {
    const t = classThresholds(data.labels, data.probs);
    const { joint, guess } = confidentJoint(data.labels, data.probs, t);
    expect(joint[0][0]).toBe(8);
    expect(joint[0][1]).toBe(2); // the two flipped 1s; the ambiguous 0 (0.5 < t1 = 0.9) reaches no threshold
    expect(joint[1][1]).toBe(8);
    expect(guess[18]).toBe(-1);
    expect(calibrateJoint(joint, [11, 8, 0, 0, 0, 0, 0, 0, 0, 0])[0].slice(0, 2)).toEqual([9, 2]);
  });

  it('flags the flipped rows with their true class, most likely first', () => {
    const issues = findLabelIssues(data.labels, data.probs);
    expect(issues.map((i) => i.idx)).toEqual([17, 16]);
    expect(issues.every((i) => i.label === 0 && i.suggested === 1)).toBe(true);
    expect(issues[0].score).toBeGreaterThan(issues[1].score);
    const bySelfConfidence = findLabelIssues(data.labels, data.probs, { rankBy: 'self-confidence' });
    expect(bySelfConfidence[0].score).toBeCloseTo(0.98, 5);
  });

  it('flags nothing when the model agrees with every label', () => {
    const agreeing = matrix([...Array.from({ length: 8 }, () => clean(0, 0.8)), ...Array.from({ length: 8 }, () => clean(1, 0.7))]);
    expect(findLabelIssues(agreeing.labels, agreeing.probs)).toEqual([]);
  });
});

describe('k-fold split', () => {
  const labels = Uint8Array.from({ length: 103 }, (_, i) => (i * 7) % 10);
  it('holds every row out in exactly one fold, stratified, and never trains on it there', () => {
    const folds = foldAssignment(labels, 4, 42);
    const seen = new Uint8Array(labels.length);
    for (let index = 0; index < 4; index++) {
      const { train, val } = splitIndices(labels, { mode: 'kfold', ratio: 0.25, seed: 42, fold: { count: 4, index } });
      const trainSet = new Set(train);
      for (const i of val) {
        expect(folds[i]).toBe(index);
        expect(trainSet.has(i)).toBe(false);
        seen[i]++;
      }
      expect(train.length + val.length).toBe(labels.length);
      expect(val.length).toBeGreaterThanOrEqual(25);
      expect(val.length).toBeLessThanOrEqual(26);
    }
    expect([...seen].every((n) => n === 1)).toBe(true);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(foldAssignment(labels, 5, 1)).toEqual(foldAssignment(labels, 5, 1));
    expect(foldAssignment(labels, 5, 1)).not.toEqual(foldAssignment(labels, 5, 2));
  });
});
