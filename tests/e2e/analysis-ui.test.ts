// The analysis views end to end (compare, errors, diff, why, ensemble + export + ledger, draw): real serve mode
// over runs trained beforehand on real digits, Debian Chromium; every figure shown is checked against the store.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadValSet } from '../../src/core/analysis/val-set.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet, writeSmallCsv } from '../helpers/small-dataset.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

const SHOTS = join(process.cwd(), 'test-output', 'screenshots');

describe('analysis views (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-analysis-');
  const data = join(home.path, 'data');
  let wb: Workbench;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  let group: number[];
  let other: number;
  let stratified: number;
  const errors: string[] = [];

  beforeAll(async () => {
    // Train first (in this process, on the same data folder), then serve it: the UI reads what is stored.
    const chromium = launchChromium();
    wb = new Workbench({ home: data });
    datasetId = await importSmallTrainSet(wb, home.path, 1200);
    const seeds = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, seeds: [1, 2, 3] });
    // Same seed as the group's first run: only the learning rate and the epochs differ.
    const [b] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2, learningRate: 0.003, seed: 1 } });
    const [s] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1, validation: { mode: 'stratified', ratio: 0.1 } } });
    for (const r of [...seeds, b, s]) expect(await wb.runs.waitFor(r.id)).toBe('completed');
    group = seeds.map((r) => r.id);
    other = b.id;
    stratified = s.id;
    [served, browser] = await Promise.all([startServe(data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    wb?.close();
    home.remove();
  });

  const go = (hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const heading = () => page.getByRole('heading', { level: 1 }).first().textContent();

  it('reaches every analysis view from the main navigation', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, title] of [['Compare', 'Compare'], ['Errors', 'Errors'], ['Diff', 'Diff two runs'], ['Submissions', 'Submissions'], ['Draw', 'Draw a digit']]) {
      await nav.getByRole('link', { name: link }).click();
      await expect.poll(heading).toBe(title);
    }
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Pick a run' }).count()).toBe(0);
  });

  it('compare overlays both runs’ curves and lists exactly the differing hyperparameters', async () => {
    await go('#/compare');
    // Compare opens on the latest runs (or the last selection): start from none.
    await expect.poll(() => page.url()).toMatch(/#\/compare\/\d/);
    await page.getByRole('button', { name: 'Clear' }).click();
    for (const id of [group[0], other]) await page.locator(`input[type=checkbox][data-run="${id}"]`).check();
    await expect.poll(() => page.url()).toContain(`#/compare/${group[0]},${other}`);
    const points = (metric: string) => page.locator(`[data-metric=${metric}] .chart`).getAttribute('data-points');
    // One point per epoch per run: 1 + 2.
    for (const metric of ['loss', 'acc', 'valLoss', 'valAcc', 'lr']) await expect.poll(() => points(metric)).toBe('3');
    const legend = await page.locator('[data-metric=valAcc] .chart').getAttribute('aria-label');
    expect(legend).toContain(`runs ${group[0]}, ${other} by epoch`);
    const shown = await page.locator('[data-testid=hyperparams] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.key));
    expect(shown.sort()).toEqual(['epochs', 'learningRate']);
    const cmp = await wb.call('analysis:compare', { runIds: [group[0], other] });
    expect(cmp.hyperparams.filter((h) => h.differs).map((h) => h.key).sort()).toEqual(['epochs', 'learningRate']);
    // All rows when the switch is off; the x axis can be time.
    // Rows are named as the New run form names them; the model is shown whole; a part that is off says so.
    expect(await page.locator('[data-testid=hyperparams] tbody th').allInnerTexts()).toEqual(['Epochs\n(differs)', 'Learning rate\n(differs)']);
    await page.getByLabel('Differing only').uncheck();
    await expect.poll(() => page.locator('[data-testid=hyperparams] tbody tr').count()).toBe(cmp.hyperparams.length);
    const cells = await page.locator('[data-testid=hyperparams] tbody td').allInnerTexts();
    expect(cells.filter((c) => c === 'null' || c === '–')).toEqual([]);
    const model = page.locator('[data-testid=hyperparams] tr[data-key=model] td').first();
    expect(await model.innerText()).toMatch(/^conv2d .* → dense 10 softmax$/);
    expect(await model.evaluate((td) => td.scrollWidth <= td.clientWidth + 1)).toBe(true);
    // One legend names every run, in its run colour.
    expect(await page.locator('[data-testid=compare-legend] li').evaluateAll((li) => li.map((l) => Number((l as HTMLElement).dataset.run)))).toEqual([group[0], other]);
    await page.getByText('By time').click();
    await expect.poll(() => page.locator('[data-metric=valAcc] .chart').getAttribute('aria-label')).toContain('seconds of training');
    expect(await points('valAcc')).toBe('3');
    const best = page.locator(`[data-testid=best-table] tr[data-run="${other}"]`);
    const detail = await wb.call('runs:get', { id: other });
    expect(await best.textContent()).toContain(`${(detail.bestValAcc! * 100).toFixed(2)}%@${detail.bestEpoch}`);
  });

  it('a seed group shows mean ± sd of the runs’ stored best validation accuracy', async () => {
    await go('#/compare');
    await page.getByLabel('Select a seed group').first().selectOption({ index: 1 });
    await expect.poll(() => page.url()).toContain(`#/compare/${group.join(',')}`);
    const row = page.locator('[data-testid=groups] tbody tr').first();
    await row.waitFor();
    const accs = await Promise.all(group.map(async (id) => (await wb.call('runs:get', { id })).bestValAcc!));
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    const sd = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / (accs.length - 1));
    expect(Number(await row.getAttribute('data-mean'))).toBeCloseTo(mean, 12);
    expect(Number(await row.getAttribute('data-sd'))).toBeCloseTo(sd, 12);
    expect(await row.textContent()).toContain(`${(mean * 100).toFixed(2)}% ± ${(sd * 100).toFixed(2)}`);
  });

  it('Errors and Compare keep their runs when you leave and come back (and after a reload); Back on Compare shows the previous runs', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    const compared = () => page.locator('[data-testid=best-table] tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.run)));
    await go(`#/errors/${stratified}`);
    await page.getByTestId('class-stats').waitFor();
    await go(`#/compare/${group[0]},${other}`);
    await expect.poll(compared).toEqual([group[0], other]);
    const colourOf = (id: number) => page.locator(`[data-testid=compare-legend] li[data-run="${id}"]`).getAttribute('data-color');
    const first = await colourOf(group[0]);
    await go(`#/compare/${group.join(',')}`);
    await expect.poll(compared).toEqual(group);
    // A run keeps its colour when the runs beside it change.
    expect(await colourOf(group[0])).toBe(first);
    await page.goBack();
    await expect.poll(() => page.url()).toContain(`#/compare/${group[0]},${other}`);
    await expect.poll(compared).toEqual([group[0], other]);
    await nav.getByRole('link', { name: 'Runs' }).click();
    await nav.getByRole('link', { name: 'Compare' }).click();
    await expect.poll(() => page.url()).toContain(`#/compare/${group[0]},${other}`);
    await expect.poll(compared).toEqual([group[0], other]);
    await page.reload();
    await nav.getByRole('link', { name: 'Errors' }).click();
    await expect.poll(() => page.url()).toContain(`#/errors/${stratified}`);
    await page.getByTestId('class-stats').waitFor();
    expect(await page.getByLabel('Run', { exact: true }).inputValue()).toBe(String(stratified));
  });

  it('errors: per-class precision/recall match the stored predictions; a cell click shows exactly its digits', async () => {
    await go(`#/errors/${other}`);
    await page.getByTestId('class-stats').waitFor();
    const set = loadValSet(wb.db, other);
    const stats = await page.locator('[data-testid=class-stats] tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({ ...(r as HTMLElement).dataset })),
    );
    for (let c = 0; c < 10; c++) {
      const rows = Array.from(set.labels.keys());
      const tp = rows.filter((r) => set.labels[r] === c && set.predicted[r] === c).length;
      const support = rows.filter((r) => set.labels[r] === c).length;
      const predicted = rows.filter((r) => set.predicted[r] === c).length;
      expect(stats[c].support).toBe(String(support));
      expect(stats[c].recall).toBe(support ? String(tp / support) : '');
      expect(stats[c].precision).toBe(predicted ? String(tp / predicted) : '');
    }
    // The misclassified gallery holds every wrong digit.
    const wrong = Array.from(set.labels.keys()).filter((r) => set.labels[r] !== set.predicted[r]).length;
    await expect.poll(() => page.getByTestId('gallery').getAttribute('data-count')).toBe(String(wrong));

    // The fullest off-diagonal cell.
    const report = await wb.call('analysis:confusion', { id: other });
    let [t, p] = [0, 1];
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) if (i !== j && report.matrix[i][j] > report.matrix[t][p]) [t, p] = [i, j];
    expect(report.matrix[t][p]).toBeGreaterThan(0);
    await page.locator(`[data-testid=confusion] td[data-t="${t}"][data-p="${p}"] button`).click();
    const gallery = page.getByTestId('gallery');
    await expect.poll(() => gallery.getAttribute('data-count')).toBe(String(report.matrix[t][p]));
    const cells = await gallery.locator('[data-idx]').evaluateAll((els) => els.map((e) => ({ ...(e as HTMLElement).dataset })));
    const expected = Array.from(set.indices).filter((_, r) => set.labels[r] === t && set.predicted[r] === p);
    expect(cells.map((c) => Number(c.idx)).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(new Set(cells.map((c) => `${c.label}→${c.predicted}`))).toEqual(new Set([`${t}→${p}`]));
    const api = await wb.call('analysis:digits', { id: other, trueClass: t, predictedClass: p, offset: 0, limit: 5000 });
    expect(cells.map((c) => Number(c.idx))).toEqual(api.items.map((i) => i.idx));
    await page.getByRole('button', { name: 'Clear' }).last().click();
    await expect.poll(() => gallery.getAttribute('data-count')).toBe(String(wrong));
  });

  it('the saliency map shown equals the gradient computed directly with tfjs (to 1e-5)', async () => {
    await go(`#/errors/${other}`);
    const first = page.locator('[data-testid=gallery] [data-idx]').first();
    await first.click();
    const idx = Number(await first.getAttribute('data-idx'));
    await expect.poll(() => page.getByTestId('inspector').getAttribute('data-idx')).toBe(String(idx));
    await page.getByRole('button', { name: 'Show saliency' }).click();
    const map = page.getByTestId('saliency');
    await map.waitFor({ timeout: 60_000 });
    const shown = JSON.parse((await map.getAttribute('data-saliency'))!) as number[];
    const cls = Number(await map.getAttribute('data-cls'));

    const out = join(home.path, 'model');
    await wb.call('runs:export-model', { id: other, out });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(readFileSync(join(out, 'weights.bin'))).buffer }),
    );
    const img = await wb.call('datasets:images', { id: datasetId, offset: idx, limit: 1 });
    const x = tf.tensor4d(Float32Array.from(Buffer.from(img.images[0].pixels, 'base64'), (v) => v / 255), [1, 28, 28, 1]);
    const probs = Array.from(await (model.predict(x) as tf.Tensor).data());
    expect(cls).toBe(probs.indexOf(Math.max(...probs)));
    const grad = await tf.grad((input: tf.Tensor) => (model.predict(input) as tf.Tensor).slice([0, cls], [1, 1]).sum())(x).data();
    expect(shown).toHaveLength(784);
    expect(shown.reduce((m, v, i) => Math.max(m, Math.abs(v - grad[i])), 0)).toBeLessThan(1e-5);
    expect(Math.max(...shown.map(Math.abs))).toBeGreaterThan(1e-4);
    // The augmentation preview says why there is none for this run.
    expect(await page.getByLabel('Augmentation preview').textContent()).toContain('trains without augmentation');
  });

  it('the diff lists the digits B fixed, broke and both got wrong, sorted, consistent with the stored predictions', async () => {
    const [a, b] = [group[0], other];
    await go(`#/diff/${a}/${b}`);
    await page.getByTestId('diff-summary').waitFor();
    const [sa, sb] = [loadValSet(wb.db, a), loadValSet(wb.db, b)];
    const rows = Array.from(sa.indices.keys());
    // Every gallery most confidently wrong first (as Errors), then by row; the wrong-in-both digits have one too.
    const conf = (s: typeof sa, r: number) => s.probs[r * 10 + s.predicted[r]];
    const sorted = (s: typeof sa, keep: (r: number) => boolean) =>
      rows.filter(keep).sort((x, y) => conf(s, y) - conf(s, x) || sa.indices[x] - sa.indices[y]).map((r) => sa.indices[r]);
    const fixed = sorted(sa, (r) => sa.predicted[r] !== sa.labels[r] && sb.predicted[r] === sb.labels[r]);
    const broken = sorted(sb, (r) => sa.predicted[r] === sa.labels[r] && sb.predicted[r] !== sb.labels[r]);
    const both = sorted(sb, (r) => sa.predicted[r] !== sa.labels[r] && sb.predicted[r] !== sb.labels[r]);
    const idxs = async (testid: string, n: number) =>
      n === 0 ? [] : page.getByTestId(testid).locator('[data-idx]').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.idx)));
    expect(fixed.length + broken.length).toBeGreaterThan(0);
    expect(both.length).toBeGreaterThan(0);
    expect(await idxs('gallery-fixed', fixed.length)).toEqual(fixed);
    expect(await idxs('gallery-broken', broken.length)).toEqual(broken);
    expect(await idxs('gallery-both', both.length)).toEqual(both);
    const acc = (s: typeof sa) => rows.filter((r) => s.predicted[r] === s.labels[r]).length / rows.length;
    expect(Number(await page.locator('[data-acc-a]').getAttribute('data-acc-a'))).toBeCloseTo(acc(sa), 12);
    expect(Number(await page.locator('[data-acc-b]').getAttribute('data-acc-b'))).toBeCloseTo(acc(sb), 12);
  });

  it('shows the core’s error when two runs were validated on different images', async () => {
    await go(`#/diff/${other}/${stratified}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/validated on different images/);
    await go('#/submissions');
    for (const id of [other, stratified]) await page.locator(`input[type=checkbox][data-run="${id}"]`).check();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Cannot ensemble' }).textContent()).toMatch(/different/);
    await page.getByRole('button', { name: 'Clear' }).first().click();
  });

  it('Export opens on the newest imported test set, not the sample, and then on the one last picked', async () => {
    const train = await writeSmallCsv(join(home.path, 'for-test.csv'), 50, 5);
    const testCsv = join(home.path, 'my-test.csv');
    // Kaggle's test.csv is train.csv without the label column.
    writeFileSync(testCsv, readFileSync(train, 'utf8').trim().split('\n').map((l) => l.split(',').slice(1).join(',')).join('\n') + '\n');
    const { dataset: mine } = await wb.call('datasets:import', { path: testCsv, kind: 'test' });
    const sampleTest = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-test')!;
    await go('#/submissions');
    await page.reload();
    const testSet = page.getByLabel('Test set');
    await expect.poll(() => testSet.inputValue()).toBe(String(mine.id));
    await testSet.selectOption(String(sampleTest.id));
    await page.reload();
    await expect.poll(() => testSet.inputValue()).toBe(String(sampleTest.id));
  });

  it('exports an ensemble that downloads a valid file scoring as the app says, and keeps a Kaggle score', async () => {
    await go('#/submissions');
    for (const id of group) await page.locator(`input[type=checkbox][data-run="${id}"]`).check();
    const ens = await wb.call('analysis:ensemble', { runIds: group });
    await expect.poll(() => page.locator('[data-testid=ensemble] [data-accuracy]').getAttribute('data-accuracy')).toBe(String(ens.accuracy));
    const sampleTest = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-test')!;
    await page.getByLabel('Test set').selectOption(String(sampleTest.id));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.getByRole('button', { name: 'Download submission' }).click()]);
    const file = join(home.path, 'downloaded.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('ImageId,Label');
    expect(lines).toHaveLength(2001);
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    const answers = loadDatasetArrays(wb.db, sampleTest.id).labels!;
    const accuracy = rows.filter(([id, label]) => answers[id - 1] === label).length / 2000;
    const result = page.getByTestId('export-result');
    await result.waitFor();
    expect(Number(await result.getAttribute('data-accuracy'))).toBeCloseTo(accuracy, 12);
    expect(await result.textContent()).toContain(`${(accuracy * 100).toFixed(2)}%`);
    const id = Number(await result.getAttribute('data-id'));
    const row = page.locator(`[data-testid=ledger] tr[data-submission="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(`${(accuracy * 100).toFixed(2)}%`);

    // A score above 0.9979 is kept and flagged; it survives a reload.
    const score = page.getByLabel(`Kaggle score of submission ${id}`);
    await score.fill('0.9985');
    await score.press('Enter');
    await row.getByTestId('score-note').waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel(`Kaggle score of submission ${id}`).inputValue()).toBe('0.9985');
    expect(await page.locator(`[data-testid=ledger] tr[data-submission="${id}"] [data-testid=score-note]`).textContent()).toContain('0.9979');
    expect((await wb.call('submissions:list', undefined)).find((s) => s.id === id)?.kaggleScore).toBe(0.9985);
  });

  it('a stored digit drawn on the pad reads as its label; pointer strokes predict live', async () => {
    // The run's most confidently right digit of its commonest class.
    const report = await wb.call('analysis:confusion', { id: other });
    const cls = report.matrix.reduce((best, row, c) => (row[c] > report.matrix[best][best] ? c : best), 0);
    const [digit] = (await wb.call('analysis:digits', { id: other, trueClass: cls, predictedClass: cls, offset: 0, limit: 1 })).items;
    await go('#/draw');
    // Draw keeps the model picked when you leave and come back (not the best run it opens on at first).
    await page.getByLabel('Model').selectOption(String(group[0]));
    await go('#/runs');
    await go('#/draw');
    await expect.poll(() => page.getByLabel('Model').inputValue()).toBe(String(group[0]));
    await page.getByLabel('Model').selectOption(String(other));
    await page.getByLabel('Load digit').fill(String(digit.idx + 1));
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const prediction = page.getByTestId('prediction');
    // The pad gives the stored bytes back exactly, and the top class is the label.
    await expect.poll(() => prediction.getAttribute('data-input')).toBe(digit.pixels);
    expect(await prediction.getAttribute('data-label')).toBe(String(cls));
    expect(await page.getByTestId('top-class').textContent()).toBe(String(cls));

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => prediction.getAttribute('data-input')).toBe('');
    const box = (await page.getByTestId('draw-pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let i = 1; i <= 14; i++) await page.mouse.move(box.x + box.width * (0.5 - i * 0.004), box.y + box.height * (0.15 + i * 0.05));
    // Mid-stroke, a prediction arrives already (debounced), before the pen lifts.
    const mid = await waitInPage(page, () => document.querySelector<HTMLElement>('[data-testid=prediction]')?.dataset.input || null, 10_000);
    await page.mouse.up();
    const ink = Buffer.from(mid, 'base64');
    expect(ink).toHaveLength(784);
    expect(Math.max(...ink)).toBeGreaterThan(200);
    await expect.poll(() => page.getByTestId('top-class').textContent()).toMatch(/^\d$/);
  });

  it('renders each analysis view in both themes (screenshots)', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width: 1440, height: 1300 });
    const views: [string, string, () => Promise<unknown>][] = [
      ['compare', `#/compare/${[...group, other].join(',')}`, () => page.locator('[data-metric=valAcc] .chart').waitFor()],
      ['errors', `#/errors/${other}`, async () => {
        await page.locator('[data-testid=gallery] [data-idx]').first().click();
        await page.getByRole('button', { name: 'Show saliency' }).click();
        await page.getByTestId('saliency').waitFor({ timeout: 60_000 });
      }],
      ['diff', `#/diff/${group[0]}/${other}`, () => page.getByTestId('diff-summary').waitFor()],
      ['submissions', '#/submissions', () => page.getByTestId('ledger').waitFor()],
      ['draw', '#/draw', async () => {
        await page.getByRole('button', { name: 'Random' }).click();
        await page.getByTestId('top-class').waitFor();
      }],
    ];
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      for (const [name, hash, ready] of views) {
        await go('#/runs');
        await go(hash);
        await ready();
        await page.mouse.move(0, 0);
        await page.waitForTimeout(150);
        await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`) });
      }
    }
    expect(errors).toEqual([]);
  });
});
