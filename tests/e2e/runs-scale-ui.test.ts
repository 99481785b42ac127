// The runs table with 3,000 runs, served, in Chromium: only a window of rows is in the DOM, scrolling reaches the
// last run, sorting and filtering (words and hyperparameter comparisons) show exactly the right runs, and picking
// runs for Compare still works (Compare shown, and the windowed checklist in Compare).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { DB_FILE } from '../../src/core/db/open.js';
import { resolveHyperparams } from '../../src/core/training/presets.js';
import { paramSummary } from '../../src/core/training/runs-list.js';
import { seedRuns } from '../bench/seed-runs.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

const COUNT = 3000;

describe('Runs table with 3,000 runs (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-runs-scale-');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let db: Database.Database;
  const errors: string[] = [];

  const table = () => page.getByTestId('runs-table');
  const renderedIds = () => table().locator('tbody tr[data-run]').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.run)));
  const ids = (sql: string) => db.prepare(sql).pluck().all() as number[];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: home.path, sample: false });
    const datasetId = await importSmallTrainSet(wb, home.path, 100);
    const sha = (await wb.call('datasets:list', undefined)).find((d) => d.id === datasetId)!.sha256;
    seedRuns(wb.db, { count: COUNT, datasetId, datasetSha256: sha, resolve: resolveHyperparams, summary: paramSummary, seed: 5 });
    wb.close();
    db = new Database(join(home.path, DB_FILE), { readonly: true });
    [served, browser] = await Promise.all([startServe(home.path), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.url}#/runs`);
    await table().locator(`tr[data-run="${COUNT}"]`).waitFor({ timeout: 60_000 });
    // The newest runs may paint first; the whole list follows.
    await page.waitForFunction((n) => document.querySelector<HTMLElement>('[data-testid=runs-table]')?.dataset.count === String(n), COUNT, { timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    db?.close();
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('renders a window of rows and scrolls to the last run', async () => {
    expect(await table().getAttribute('data-count')).toBe(String(COUNT));
    const first = await renderedIds();
    expect(first[0]).toBe(COUNT);
    expect(first.length).toBeLessThan(100);
    const box = page.locator('section[aria-label="Runs table"]');
    await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await table().locator('tr[data-run="1"]').waitFor();
    const last = await renderedIds();
    expect(last.at(-1)).toBe(1);
    expect(last.length).toBeLessThan(100);
    // Consecutive runs, newest first, with no gap in the window.
    expect(last).toEqual(last.map((_, i) => last[0] - i));
    // The last row is on screen, inside the scrolling box.
    const row = await table().locator('tr[data-run="1"]').boundingBox();
    const frame = await box.boundingBox();
    expect(row!.y + row!.height).toBeLessThanOrEqual(frame!.y + frame!.height + 1);
    await box.evaluate((el) => (el.scrollTop = 0));
    await table().locator(`tr[data-run="${COUNT}"]`).waitFor();
  });

  it('keeps the focused row (and its focus) when a scroll takes it out of the window', async () => {
    const box = page.locator('section[aria-label="Runs table"]');
    const edit = page.getByRole('button', { name: `Edit notes and tags of run ${COUNT - 2}` });
    await edit.focus();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);
    expect(await focused()).toBe(`Edit notes and tags of run ${COUNT - 2}`);
    // Far down: the window is the last rows, the focused row is still in the table, at its place, still focused.
    await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await table().locator('tr[data-run="1"]').waitFor();
    const rendered = await renderedIds();
    expect(rendered[0]).toBe(COUNT - 2);
    expect(rendered.length).toBeLessThan(100);
    expect(await focused()).toBe(`Edit notes and tags of run ${COUNT - 2}`);
    expect(await table().locator(`tr[data-run="${COUNT - 2}"]`).getAttribute('aria-rowindex')).toBe('4');
    // The spacers keep the scroll height true: the row count times the row height, give or take a row.
    const heights = await table().evaluate((t) => ({
      body: t.querySelector('tbody')!.getBoundingClientRect().height,
      row: t.querySelector<HTMLElement>('tbody tr[data-run]')!.offsetHeight,
    }));
    expect(Math.abs(heights.body - heights.row * COUNT)).toBeLessThan(heights.row * 2);
    // Tab from the focused button goes on within its own row (Delete), as if it had never left the window.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(`Delete run ${COUNT - 2}`);
    // Back at the top the row is an ordinary row of the window again, and focus elsewhere releases it.
    await box.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(async () => (await renderedIds()).slice(0, 3)).toEqual([COUNT, COUNT - 1, COUNT - 2]);
    expect(await focused()).toBe(`Delete run ${COUNT - 2}`);
    await page.getByLabel('Filter runs').focus();
    await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await table().locator('tr[data-run="1"]').waitFor();
    expect((await renderedIds())[0]).not.toBe(COUNT - 2);
    await box.evaluate((el) => (el.scrollTop = 0));
    await table().locator(`tr[data-run="${COUNT}"]`).waitFor();
  });

  it('sorts by best validation accuracy over every run, not only those rendered', async () => {
    await page.getByRole('button', { name: /^Best val acc/ }).click();
    // Ties go to the lower id, as the table orders them.
    const want = ids('SELECT id FROM runs WHERE best_val_acc IS NOT NULL ORDER BY best_val_acc DESC, id LIMIT 10');
    await expect.poll(async () => (await renderedIds()).slice(0, 10)).toEqual(want);
    // Back to the run column (newest first), then oldest first.
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(async () => (await renderedIds())[0]).toBe(COUNT);
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(async () => (await renderedIds()).slice(0, 3)).toEqual([1, 2, 3]);
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(async () => (await renderedIds())[0]).toBe(COUNT);
  });

  it('filters by a hyperparameter and by words, counting every match', async () => {
    const filter = page.getByLabel('Filter runs');
    const big = ids("SELECT id FROM runs WHERE json_extract(hyperparams, '$.batchSize') = 256 ORDER BY id DESC");
    expect(big.length).toBeGreaterThan(30);
    await filter.fill('batchSize=256');
    await expect.poll(() => page.locator('.toolbar').textContent()).toContain(`${big.length} of ${COUNT}`);
    expect(await renderedIds()).toEqual(big.slice(0, (await renderedIds()).length));

    const slow = ids("SELECT id FROM runs WHERE json_extract(hyperparams, '$.learningRate') < 0.0002 AND preset = 'cnn-strong' ORDER BY id DESC");
    await filter.fill('learningRate<0.0002 cnn-strong');
    await expect.poll(() => page.locator('.toolbar').textContent()).toContain(`${slow.length} of ${COUNT}`);

    const tagged = ids("SELECT id FROM runs WHERE EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = 'lr-test') AND status = 'failed' ORDER BY id DESC");
    await filter.fill('lr-test failed');
    await expect.poll(() => page.locator('.toolbar').textContent()).toContain(`${tagged.length} of ${COUNT}`);
    const window = await renderedIds();
    expect(window).toEqual(tagged.slice(0, window.length));
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(async () => (await renderedIds())[0]).toBe(COUNT);
  });

  it('Compare shown opens the shown runs, and the windowed checklist adds and removes runs', async () => {
    const big = ids("SELECT id FROM runs WHERE json_extract(hyperparams, '$.batchSize') = 256 AND epochs_done > 0 ORDER BY id DESC LIMIT 50");
    await page.getByLabel('Filter runs').fill('batchSize=256');
    await page.getByRole('link', { name: 'Compare shown' }).click();
    await page.waitForURL(/#\/compare\/[\d,]+$/);
    const shownIds = () => new URL(page.url()).hash.split('/')[2].split(',').map(Number).sort((a, b) => a - b);
    expect(shownIds()).toEqual([...big].sort((a, b) => a - b));
    await waitInPage(page, () => {
      const charts = [...document.querySelectorAll<HTMLElement>('[data-testid=compare-charts] .chart')];
      return (charts.length === 5 && charts.every((c) => Number(c.dataset.points) > 0)) || null;
    });
    expect(await page.getByTestId('compare-legend').locator('li').count()).toBe(big.length);

    const list = page.locator('fieldset.checklist ul');
    const withEpochs = ids('SELECT id FROM runs WHERE epochs_done > 0');
    expect(await list.getAttribute('data-count')).toBe(String(withEpochs.length));
    expect(Number(await list.getAttribute('data-rendered'))).toBeLessThan(60);
    // Untick a compared run, found by scrolling the checklist to it.
    const drop = big[big.length - 1];
    const index = [...withEpochs].sort((a, b) => b - a).indexOf(drop);
    await list.evaluate((el, i) => (el.scrollTop = i * 28), index);
    await page.locator(`input[type=checkbox][data-run="${drop}"]`).uncheck();
    await expect.poll(shownIds).toEqual(big.filter((id) => id !== drop).sort((a, b) => a - b));
    // Tick the newest run (at the top of the list).
    await list.evaluate((el) => (el.scrollTop = 0));
    const newest = Math.max(...withEpochs);
    await page.locator(`input[type=checkbox][data-run="${newest}"]`).check();
    await expect.poll(shownIds).toContain(newest);
    expect(errors).toEqual([]);
  });
});
