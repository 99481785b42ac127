// Error analysis from stored validation predictions, checked against the raw stored probabilities:
// confusion cells, per-class precision/recall, misclassified ordering, diffs, compare with seed groups,
// validation ensembles, saliency against a direct tfjs gradient, and the augmentation preview.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadValSet } from '../../src/core/analysis/val-set.js';
import { sd } from '../../src/core/analysis/compare.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
let group: number[];
let other: number;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path, backend: 'wasm' });
  datasetId = await importSmallTrainSet(wb, dir.path, 500);
  const runs = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2 }, seeds: [1, 2, 3] });
  const [b] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 3, learningRate: 0.003 } });
  for (const r of [...runs, b]) expect(await wb.runs.waitFor(r.id)).toBe('completed');
  group = runs.map((r) => r.id);
  other = b.id;
});
afterAll(() => {
  wb.close();
  dir.remove();
});

describe('error analysis', () => {
  it('confusion and per-class precision/recall match the stored predictions', async () => {
    const report = await wb.call('analysis:confusion', { id: other });
    const set = loadValSet(wb.db, other);
    expect(report.total).toBe(50);
    for (let t = 0; t < 10; t++) {
      for (let p = 0; p < 10; p++) {
        expect(report.matrix[t][p]).toBe(set.labels.filter((l, r) => l === t && set.predicted[r] === p).length);
      }
      const tp = report.matrix[t][t];
      const support = set.labels.filter((l) => l === t).length;
      const predictedAs = Array.from(set.predicted).filter((p) => p === t).length;
      expect(report.perClass[t]).toEqual({ cls: t, support, recall: support ? tp / support : null, precision: predictedAs ? tp / predictedAs : null });
    }
  });

  it('a confusion cell shows exactly that cell’s digits; errors come most-confident-wrong first', async () => {
    const report = await wb.call('analysis:confusion', { id: other });
    const set = loadValSet(wb.db, other);
    const [t, p] = [set.labels[0], set.predicted[0]];
    const cell = await wb.call('analysis:digits', { id: other, trueClass: t, predictedClass: p, offset: 0, limit: 100 });
    expect(cell.total).toBe(report.matrix[t][p]);
    const expected = Array.from(set.indices).filter((_, r) => set.labels[r] === t && set.predicted[r] === p).sort((a, b) => a - b);
    expect(cell.items.map((i) => i.idx).sort((a, b) => a - b)).toEqual(expected);
    const wrong = await wb.call('analysis:digits', { id: other, offset: 0, limit: 100 });
    expect(wrong.total).toBe(set.labels.filter((l, r) => l !== set.predicted[r]).length);
    expect(wrong.items.every((i) => i.label !== i.predicted)).toBe(true);
    const conf = wrong.items.map((i) => i.confidence);
    expect(conf).toEqual([...conf].sort((a, b) => b - a));
    expect(Buffer.from(wrong.items[0]?.pixels ?? cell.items[0].pixels, 'base64')).toHaveLength(784);
  });

  it('the diff lists the digits B fixed, broke and both got wrong, sorted, consistent with both runs’ predictions', async () => {
    const [a, b] = [group[0], other];
    const diff = await wb.call('analysis:diff', { runA: a, runB: b });
    const [sa, sb] = [loadValSet(wb.db, a), loadValSet(wb.db, b)];
    const rows = Array.from(sa.indices.keys());
    // Each list in the Errors gallery's order: the shown run's most confident mistake first, then by row.
    const conf = (s: typeof sa, r: number) => s.probs[r * 10 + s.predicted[r]];
    const sorted = (s: typeof sa, keep: (r: number) => boolean) =>
      rows.filter(keep).sort((x, y) => conf(s, y) - conf(s, x) || sa.indices[x] - sa.indices[y]).map((r) => sa.indices[r]);
    const fixed = sorted(sa, (r) => sa.predicted[r] !== sa.labels[r] && sb.predicted[r] === sb.labels[r]);
    const broken = sorted(sb, (r) => sa.predicted[r] === sa.labels[r] && sb.predicted[r] !== sb.labels[r]);
    const both = sorted(sb, (r) => sa.predicted[r] !== sa.labels[r] && sb.predicted[r] !== sb.labels[r]);
    expect(diff.fixed.map((d) => d.idx)).toEqual(fixed);
    expect(diff.broken.map((d) => d.idx)).toEqual(broken);
    expect(diff.bothWrong.map((d) => d.idx)).toEqual(both);
    expect(diff.bothWrong.every((d) => d.predicted !== d.label)).toBe(true);
    expect(diff.accuracyB - diff.accuracyA).toBeCloseTo((fixed.length - broken.length) / 50, 10);
  });

  it('compare shows exactly the differing hyperparameters and the seed group’s mean ± sd', async () => {
    const cmp = await wb.call('analysis:compare', { runIds: [...group, other] });
    expect(cmp.hyperparams.filter((h) => h.differs).map((h) => h.key).sort()).toEqual(['epochs', 'learningRate', 'seed']);
    const [g] = cmp.groups;
    expect(g.runIds).toEqual(group);
    const accs = await Promise.all(group.map(async (id) => (await wb.call('runs:get', { id })).bestValAcc!));
    expect(g.meanBestValAcc).toBeCloseTo(accs.reduce((x, y) => x + y, 0) / 3, 12);
    expect(g.sdBestValAcc).toBeCloseTo(sd(accs), 12);
    expect(cmp.runs.map((r) => r.epochs.length)).toEqual([2, 2, 2, 3]);
    expect(sd([1, 2, 3])).toBe(1);
  });

  it('an ensemble’s validation accuracy is that of the mean probabilities', async () => {
    const ens = await wb.call('analysis:ensemble', { runIds: group });
    const sets = group.map((id) => loadValSet(wb.db, id));
    let correct = 0;
    for (let r = 0; r < 50; r++) {
      const mean = Array.from({ length: 10 }, (_, k) => sets.reduce((s, x) => s + x.probs[r * 10 + k], 0) / 3);
      if (mean.indexOf(Math.max(...mean)) === sets[0].labels[r]) correct++;
    }
    expect(ens.accuracy).toBe(correct / 50);
    expect(ens.members.map((m) => m.runId)).toEqual(group);
  });

  it('the saliency map equals the gradient computed directly with tfjs (to 1e-5)', async () => {
    const out = `${dir.path}/model`;
    await wb.call('runs:export-model', { id: other, out });
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(`${out}/model.json`, 'utf8'));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(readFileSync(`${out}/weights.bin`)).buffer }));
    const idx = loadValSet(wb.db, other).indices[3];
    const page = await wb.call('datasets:images', { id: datasetId, offset: idx, limit: 1 });
    const pixels = Buffer.from(page.images[0].pixels, 'base64');
    const explained = await wb.call('analysis:explain', { runId: other, idx });
    const x = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [1, 28, 28, 1]);
    const grad = tf.grad((input: tf.Tensor) => (model.predict(input) as tf.Tensor).slice([0, explained.cls], [1, 1]).sum())(x);
    const expected = await grad.data();
    expect(explained.saliency).toHaveLength(784);
    const maxDiff = explained.saliency.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.max(...explained.saliency.map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('previews the augmentation of an augmented run, and refuses one without', async () => {
    await expect(wb.call('analysis:augment', { runId: other, datasetId, idx: 0 })).rejects.toThrow(/trains without augmentation/);
    const [strong] = await wb.call('runs:start', { datasetId, preset: 'cnn-strong', hyperparams: { epochs: 1 } });
    await wb.call('runs:stop', { id: strong.id });
    const preview = await wb.call('analysis:augment', { runId: strong.id, datasetId, idx: 0, count: 9 });
    expect(preview.images).toHaveLength(9);
    expect(new Set(preview.images).size).toBe(9);
    await wb.runs.waitFor(strong.id);
  });

  it('refuses to diff runs validated on different images', async () => {
    const [s] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1, validation: { mode: 'stratified', ratio: 0.1 } } });
    await wb.runs.waitFor(s.id);
    await expect(wb.call('analysis:diff', { runA: other, runB: s.id })).rejects.toThrow(/validated on different images/);
  });
});
