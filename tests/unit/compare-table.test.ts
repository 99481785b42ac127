// Compare's hyperparameter rows: one wording for a switched-off part, the model in words, and run colours that
// follow the run id rather than its place in the list.
import { describe, expect, it } from 'vitest';
import { flatten, hyperparamRows } from '../../src/core/analysis/compare.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import { runColor } from '../../src/renderer/lib/analysis-runs.js';
import { fieldLabel } from '../../src/renderer/lib/hyperparam-form.js';

describe('hyperparameter rows', () => {
  const plain = resolveHyperparams('dnn', { reduceLrOnPlateau: null });
  const plateau = resolveHyperparams('dnn', { reduceLrOnPlateau: { monitor: 'val_loss', factor: 0.5, patience: 2, minLr: 0, minDelta: 0 } });
  const rows = hyperparamRows([plain, plateau].map((hp) => flatten({ ...hp, seed: undefined })));
  const row = (key: string) => rows.find((r) => r.key === key);

  it('shows a part that is off in one run as "off" in each of its rows, never "null" against "–"', () => {
    expect(row('reduceLrOnPlateau')).toBeUndefined();
    expect(row('reduceLrOnPlateau.factor')).toEqual({ key: 'reduceLrOnPlateau.factor', values: ['off', '0.5'], differs: true });
    expect(rows.flatMap((r) => r.values)).not.toContain('null');
    expect(rows.flatMap((r) => r.values)).not.toContain('–');
  });

  it('names every row in the form’s words, and writes the model out whole', () => {
    expect(rows.map((r) => fieldLabel(r.key)).filter((label) => /^[a-z]+[A-Z]|\./.test(label))).toEqual([]);
    expect(row('model')?.values[0]).toMatch(/^flatten → dense \d+ relu → .* → dense 10 softmax$/);
  });
});

describe('runColor', () => {
  it('gives a run the same colour whatever runs are beside it', () => {
    expect(runColor(7)).toEqual(runColor(7));
    expect(runColor(3).color).not.toBe(runColor(4).color);
    expect(runColor(1).dashed).toBe(false);
    expect(runColor(9)).toEqual({ color: runColor(1).color, dashed: true });
  });
});
