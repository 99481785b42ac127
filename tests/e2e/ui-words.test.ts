// Issue 23's "no silent switches", "say when a result is weak" and wording points, end to end: real serve mode on
// runs trained beforehand (a seed group, a label-issues job of two weak folds), Debian Chromium.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { mulberry32 } from '../../src/shared/random.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe, waitInPage, type Served, openApp, goTo } from './harness.js';

/** Garment-like silhouettes (a filled body with sleeves): a test set of another kind than digits. */
async function writeClothes(file: string): Promise<void> {
  const rows = 100;
  const pixels = new Uint8Array(rows * 784);
  const random = mulberry32(5);
  for (let i = 0; i < rows; i++) {
    const w = 10 + Math.floor(random() * 10);
    const h = 14 + Math.floor(random() * 12);
    const [x0, y0] = [14 - (w >> 1), 14 - (h >> 1)];
    for (let y = y0; y < y0 + h; y++) for (let x = Math.max(0, x0 - (y < y0 + 6 ? 4 : 0)); x < Math.min(28, x0 + w + (y < y0 + 6 ? 4 : 0)); x++) pixels[i * 784 + y * 28 + x] = 150 + Math.floor(random() * 100);
  }
  await writeKaggleCsv(file, { pixels, labels: null });
}

describe('one story in words (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-words-');
  const data = join(home.path, 'data');
  let wb: Workbench;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  let group: number[];
  let folds: number[];
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    wb = new Workbench({ home: data });
    datasetId = await importSmallTrainSet(wb, home.path, 300);
    group = (await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, seeds: [1, 2] })).map((r) => r.id);
    // Two folds of one epoch on 300 digits: fold models far below the 95% the ranking needs.
    const job = await wb.call('labels:start', { datasetId, folds: 2, epochs: 1 });
    folds = job.runs.map((r) => r.id);
    for (const id of [...group, ...folds]) expect(await wb.runs.waitFor(id)).toBe('completed');
    await writeClothes(join(home.path, 'clothes.csv'));
    await wb.importDataset({ path: join(home.path, 'clothes.csv') });
    [served, browser] = await Promise.all([
      // tfjs-node installed without its native part: Settings must say what to do, not the loader's error.
      startServe(data, { env: { DIGIT_WORKBENCH_TFJS_NODE_MODULE: join(process.cwd(), 'tests/fixtures/tfjs-node-no-binding.mjs') } }),
      chromium,
    ]);
    page = await openApp(browser, served, errors);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    wb?.close();
    home.remove();
  });

  const go = (hash: string) => goTo(page, hash);

  it('a missing token in a browser gets a page saying to open the printed URL, not JSON', async () => {
    const other = await browser.newPage();
    const res = await other.goto(served.origin);
    expect(res?.status()).toBe(401);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    const text = await other.locator('body').innerText();
    expect(text).toContain('digit-workbench serve printed');
    expect(text).not.toMatch(/[{}]/);
    await other.goto(`${served.origin}/?token=wrong`);
    expect(await other.locator('h1').innerText()).toBe('Open the address serve mode printed');
    await other.close();
    // API clients keep the JSON error.
    expect((await (await fetch(`${served.origin}/`)).json()) as unknown).toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it('New run keeps the training set after a dataset version is saved, and offers the version by name', async () => {
    await go('#/new');
    const select = page.getByLabel('Dataset', { exact: true });
    await waitInPage(page, () => document.querySelector('[aria-label="Model summary"] table'));
    expect(await select.locator('option:checked').innerText()).toMatch(/^small-300-7 — 300 images$/);
    const version = await wb.call('datasets:version', { id: datasetId, relabels: [{ row: 1, label: 3 }], excludes: [], name: 'small fixed' });
    await page.reload();
    await go('#/new');
    await page.getByTestId('newer-dataset').waitFor();
    expect(await select.locator('option:checked').innerText()).toMatch(/^small-300-7 /);
    expect(await page.getByTestId('newer-dataset').innerText()).toContain('small fixed was added after you chose small-300-7, which stays selected.');
    await page.getByRole('button', { name: 'Use small fixed' }).click();
    expect(await select.inputValue()).toBe(String(version.dataset.id));
    await expect.poll(() => page.getByTestId('newer-dataset').count()).toBe(0);
    // The version's subtitle in Datasets names its parent.
    await go('#/datasets');
    await page.locator('tr', { hasText: 'small fixed' }).waitFor();
    expect(await page.locator('tr', { hasText: 'small fixed' }).locator('.src').innerText()).toBe('version of small-300-7');
  });

  it('Submissions offers only groups it can ensemble, and disables Download while a precondition fails, saying why', async () => {
    await go('#/submissions');
    const groups = page.getByLabel('Select a seed group');
    await groups.waitFor();
    const offered = await groups.locator('option').allInnerTexts();
    expect(offered.filter((o) => o.includes('×'))).toEqual([`seed-lenet5 × 2 seeds (#${group.join(', #')})`]);
    const download = page.getByRole('button', { name: 'Download submission' });
    expect(await download.isDisabled()).toBe(true);
    expect(await page.getByTestId('export-why').innerText()).toBe('Pick one run (or several for an ensemble) above.');
    // Two label-issue folds ticked by hand: validated on different images.
    for (const id of folds) await page.locator(`input[data-run="${id}"]`).check();
    await expect.poll(() => page.getByTestId('export-why').textContent(), { timeout: 30_000 }).toMatch(/^Not exported: runs \d+ and \d+ were validated on different images/);
    expect(await download.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Clear' }).click();
    await groups.selectOption({ label: offered.find((o) => o.includes('×'))! });
    await expect.poll(() => download.isEnabled(), { timeout: 30_000 }).toBe(true);
  });

  it('warns about a test set of another kind, and shows the downloaded file, never the server path', async () => {
    const testSet = page.getByLabel('Test set');
    await testSet.selectOption({ label: 'clothes — 100 images' });
    const warning = page.getByTestId('test-set-warning');
    await warning.waitFor();
    expect(await warning.innerText()).toMatch(/"clothes" does not look like the images the model trained on \("small-300-7"\): \d+% of its pixels are ink/);
    await testSet.selectOption({ label: 'sample-test — 2,000 images (answers known)' });
    await expect.poll(() => warning.count()).toBe(0);
    const download = page.getByRole('button', { name: 'Download submission' });
    await download.click();
    const result = page.getByTestId('export-result');
    await result.waitFor({ timeout: 60_000 });
    const shown = await result.locator('dd').first().innerText();
    expect(shown).toMatch(/^submission-run[\d-]+-.+\.csv$/);
    expect(await result.innerText()).not.toContain(data);
    const rows = await page.locator('[data-testid=ledger] tbody tr').count();
    await download.click();
    await page.getByTestId('same-submission').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid=ledger] tbody tr').count()).toBe(rows);
    expect(await page.locator('[data-testid=ledger] td.file').first().getAttribute('title')).not.toContain('/');
  });

  it('Label issues shows the fold models’ accuracy and warns when they are too weak; counts have separators', async () => {
    await go('#/labels');
    const acc = page.getByTestId('fold-accuracy');
    await acc.waitFor({ timeout: 30_000 });
    expect(await acc.innerText()).toMatch(/^Fold models: \d+\.\d% on the digits they held out \(fold 1 \d+\.\d%, fold 2 \d+\.\d%\)\.$/);
    expect(Number(await acc.getAttribute('data-accuracy'))).toBeLessThan(0.95);
    expect(await page.getByTestId('weak-folds').innerText()).toMatch(/below 95\.0%: they misread about/);
    const start = page.getByRole('form', { name: 'Find label issues' });
    expect(await start.locator('select').first().locator('option', { hasText: 'sample-train' }).innerText()).toBe('sample-train (8,000 rows)');
  });

  it('the Runs filter says which names exist for an unknown one, and takes the run page’s LR', async () => {
    await go('#/runs');
    const filter = page.getByLabel('Filter runs');
    await filter.fill('foo=bar');
    const note = page.getByTestId('filter-unknown');
    await note.waitFor();
    expect(await note.innerText()).toMatch(/^No field named “foo”: a comparison names a hyperparameter \(.*\bbatchSize, .*learningRate \(LR\)/);
    await filter.fill('LR<0.002');
    await expect.poll(() => note.count()).toBe(0);
    expect(await page.locator('[data-testid=runs-table] tbody tr[data-run]').count()).toBe(group.length + folds.length);
  });

  it('Settings says what to do about tfjs-node, and does not promise a free core', async () => {
    await go('#/settings');
    const reason = page.locator('label.choice', { hasText: 'TensorFlow (tfjs-node)' }).locator('.reason');
    await reason.waitFor({ timeout: 60_000 });
    const text = await reason.innerText();
    expect(text).toContain('installed without its native part');
    expect(text).toContain('npm rebuild @tensorflow/tfjs-node');
    expect(text).not.toMatch(/Cannot find module|\/opt\/app/);
    expect(await page.locator('main').innerText()).not.toContain('keeps a core free');
    expect(errors).toEqual([]);
  });
});
