// The workbench UI end to end: real serve mode on a temp data folder, real trainer process, Debian Chromium.
// One server and one page for the whole file; the tests run in order and build on each other's data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';
import { writeSmallCsv } from './small-csv.js';

const SHOTS = join(process.cwd(), 'test-output', 'screenshots');

describe('workbench UI (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let csv: string;
  const errors: string[] = [];

  beforeAll(async () => {
    csv = await writeSmallCsv(join(home.path, 'digits-e2e.csv'), 2000);
    [served, browser] = await Promise.all([startServe(join(home.path, 'data')), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const go = async (hash: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
  };
  const runRow = (id: number) => page.locator(`[data-testid=runs-table] tr[data-run="${id}"]`);

  it('answers 401 to a request without the token', async () => {
    const res = await fetch(`${served.origin}/`);
    expect(res.status).toBe(401);
    expect((await fetch(`${served.origin}/upload?name=x.csv`, { method: 'POST', body: 'label\n' })).status).toBe(401);
    expect((await fetch(served.url)).status).toBe(200);
  });

  it('has a navigation landmark that reaches every view', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [name, heading] of [['Datasets', 'Datasets'], ['New run', 'New run'], ['Runs', 'Runs'], ['Settings', 'Settings']]) {
      await nav.getByRole('link', { name }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent()).toBe(heading);
    }
  });

  it('lists the sample datasets and previews their digits and classes', async () => {
    await go('#/datasets');
    await page.locator('tr[data-dataset="sample-train"]').waitFor();
    await page.locator('tr[data-dataset="sample-test"]').waitFor();
    const grid = page.getByTestId('digit-grid');
    await grid.locator('canvas').first().waitFor();
    expect(await grid.locator('canvas').count()).toBeGreaterThan(20);
    // The canvases are drawn: some pixel of the first digit is bright.
    const bright = await grid.locator('canvas').first().evaluate((c: HTMLCanvasElement) => Math.max(...c.getContext('2d')!.getImageData(0, 0, 28, 28).data));
    expect(bright).toBeGreaterThan(200);
    expect(await page.locator('[aria-label^="Class histogram"]').getAttribute('data-points')).toBe('10');
    await page.getByRole('group', { name: 'Filter by class' }).getByRole('button', { name: '3', exact: true }).click();
    await expect.poll(async () => new Set(await grid.locator('figcaption .lbl').allTextContents())).toEqual(new Set(['3']));
  });

  it('imports a CSV chosen in the file picker', async () => {
    await go('#/datasets');
    await page.locator('input[type=file]').setInputFiles(csv);
    await page.locator('tr[data-dataset="digits-e2e"]').waitFor();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported' }).textContent()).toContain('2,000 train images');
  });

  it('keeps the dataset shown when a dropped file fails to import', async () => {
    await go('#/datasets');
    await page.locator('tr[data-dataset="sample-test"] a').click();
    await expect.poll(() => page.url()).toMatch(/#\/datasets\/\d+$/);
    const before = page.url();
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['label,pixel0\n'], 'broken.csv', { type: 'text/csv' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'broken.csv' }).count()).toBe(1);
    expect(page.url()).toBe(before);
    await page.getByRole('alert').filter({ hasText: 'broken.csv' }).getByRole('button', { name: 'Dismiss' }).click();
  });

  it('shows every validation problem at once, beside its field, in the form’s own wording', async () => {
    await go('#/new');
    const epochs = page.locator('[data-path="epochs"] input');
    const batch = page.locator('[data-path="batchSize"] input');
    const ratio = page.locator('[data-path="validation.ratio"] input');
    const [epochsBefore, batchBefore, ratioBefore] = [await epochs.inputValue(), await batch.inputValue(), await ratio.inputValue()];
    await epochs.fill('0');
    await batch.fill('');
    await ratio.fill('0.9');
    const msg = page.getByTestId('validation-message');
    await expect.poll(() => msg.locator('li').allTextContents(), { timeout: 10_000 }).toEqual([
      'Epochs: must be an integer from 1 to 1000 (got 0)',
      'Batch size: must be an integer from 1 to 4096 (it is empty)',
      'Validation ratio: must be a number from 0.01 to 0.5 (got 0.9)',
    ]);
    expect(await page.locator('[data-path="epochs"] .err').textContent()).toBe('Must be an integer from 1 to 1000 (got 0).');
    expect(await page.locator('[data-path="batchSize"] .err').textContent()).toBe('Must be an integer from 1 to 4096 (it is empty).');
    expect(await page.locator('[data-path="validation.ratio"] .err').textContent()).toBe('Must be a number from 0.01 to 0.5 (got 0.9).');
    expect(await page.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
    await epochs.fill(epochsBefore);
    await batch.fill(batchBefore);
    await ratio.fill(ratioBefore);
    await expect.poll(() => msg.count()).toBe(0);
  });

  it('trains a short run: the chart gains points before it completes, then it is in the runs table', async () => {
    await go('#/new');
    await page.getByLabel('Dataset').selectOption({ label: 'digits-e2e — 2,000 images' });
    await page.locator('[data-path="epochs"] input').fill('3');
    await expect.poll(() => page.getByTestId('validation-message').count()).toBe(0);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/1$/);
    // One atomic read: the run is still running, its accuracy chart already has in-epoch points.
    // While it trains, the elapsed time moves and the backend is named (whichever loads on this machine).
    const seen = await waitInPage(page, () => {
      const status = document.querySelector<HTMLElement>('.page-head [data-status]')?.dataset.status;
      const points = Number(document.querySelectorAll<HTMLElement>('[data-testid=run-charts] .chart')[1]?.dataset.points ?? 0);
      const epochs = document.querySelectorAll('table[aria-label=Epochs] tbody tr').length;
      const elapsed = document.querySelector('[data-testid=elapsed]')?.textContent;
      const backend = document.querySelector('[data-testid=backend]')?.textContent;
      return status === 'running' && points > 0 && epochs < 3 && elapsed !== '0s' && !!backend && !['—', 'starting…'].includes(backend) ? { points, epochs, elapsed } : null;
    });
    expect(seen.points).toBeGreaterThan(0);
    await page.locator('.page-head [data-status="completed"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('table[aria-label=Epochs] tbody tr').count()).toBe(3);
    // The live charts end as the stored run draws them: one point per epoch and series, the same after a reload.
    const chartPoints = () => page.locator('[data-testid=run-charts] .chart').evaluateAll((charts) => charts.map((c) => (c as HTMLElement).dataset.points));
    expect(await chartPoints()).toEqual(['6', '6']);
    await page.reload();
    await page.locator('.page-head [data-status="completed"]').waitFor();
    await expect.poll(chartPoints).toEqual(['6', '6']);
    expect(await page.getByTestId('duration').textContent()).not.toBe('0s');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await runRow(1).and(page.locator('[data-status=completed]')).waitFor();
    expect(await runRow(1).locator('td').nth(5).textContent()).toMatch(/%/);
  });

  it('starts a grid sweep of two learning rates; its trials are runs 2 and 3', async () => {
    await go('#/new');
    await page.getByLabel('Dataset').selectOption({ label: 'digits-e2e — 2,000 images' });
    await page.locator('[data-path="epochs"] input').fill('1');
    await page.getByLabel('Sweep hyperparameters').check();
    await page.getByLabel('Sweep parameter 1', { exact: true }).selectOption('learningRate');
    await page.getByLabel('Values for sweep parameter 1').fill('0.001, 0.002');
    await expect.poll(() => page.getByTestId('run-count').textContent()).toContain('Runs a sweep of 2 trials');
    await page.getByRole('button', { name: 'Start sweep of 2 trials' }).click();
    await page.waitForURL(/#\/sweeps\/1$/);
    // Trials are proposed one at a time (runs at once = 1): the second appears when the first ends.
    await go('#/runs');
    await runRow(2).waitFor({ timeout: 120_000 });
    await runRow(3).waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid=runs-table] tbody tr').count()).toBe(3);
  });

  it('New run opens on the newest imported training set and the settings last started', async () => {
    await page.reload();
    await go('#/new');
    await expect.poll(() => page.getByLabel('Dataset').locator('option:checked').textContent()).toBe('digits-e2e — 2,000 images');
    // The sweep above started from 1 epoch: New run keeps it rather than going back to the preset's 30.
    await expect.poll(() => page.locator('[data-path="epochs"] input').inputValue()).toBe('1');
    expect(await page.locator('[data-path="epochs"] .meta').textContent()).toContain('default 30');
  });

  it('sorts and filters the runs table, and edits tags', async () => {
    await go('#/runs');
    const ids = () => page.locator('[data-testid=runs-table] tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.run)));
    await expect.poll(ids).toEqual([3, 2, 1]);
    await page.getByRole('button', { name: /^Run/ }).click();
    await expect.poll(ids).toEqual([1, 2, 3]);

    await page.getByRole('button', { name: 'Edit notes and tags of run 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Notes and tags of run #1' });
    await dialog.getByLabel('Tags').fill('baseline, e2e');
    await dialog.getByLabel('Notes').fill('three epochs on 2,000 digits');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await runRow(1).locator('.tag', { hasText: 'baseline' }).waitFor();

    // Escape closes a dialog without saving.
    await page.getByRole('button', { name: 'Edit notes and tags of run 2' }).click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await page.getByLabel('Filter runs').fill('baseline');
    await expect.poll(ids).toEqual([1]);
    await page.getByLabel('Filter runs').fill('');
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await expect.poll(async () => (await ids()).includes(1)).toBe(true);
    const statuses = await page.locator('[data-testid=runs-table] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status));
    expect(new Set(statuses)).toEqual(new Set(['completed']));
    await page.getByLabel('Status', { exact: true }).selectOption('all');
  });

  it('stops a running run and resumes it', async () => {
    await go('#/new');
    await page.getByLabel('Dataset').selectOption({ label: 'sample-train — 8,000 images' });
    await page.locator('[data-path="epochs"] input').fill('4');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/4$/);
    await page.locator('.page-head [data-status="running"]').waitFor({ timeout: 90_000 });
    await page.getByRole('region', { name: 'Live progress' }).getByRole('button', { name: 'Stop' }).click();
    await page.locator('.page-head [data-status="stopped"]').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('.page-head [data-status="queued"], .page-head [data-status="running"]').first().waitFor();
    await page.locator('.page-head [data-status="running"]').waitFor({ timeout: 60_000 });
    // Stop it again from the table so the suite does not wait for four epochs.
    await go('#/runs');
    await page.getByRole('button', { name: 'Stop run 4' }).click();
    await runRow(4).and(page.locator('[data-status=stopped]')).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Resume run 4' }).waitFor();
  });

  it('shows the core’s refusal to delete a dataset that runs use', async () => {
    await go('#/datasets');
    await page.getByRole('button', { name: 'Delete digits-e2e' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete dataset “digits-e2e”?' });
    await dialog.getByRole('button', { name: 'Delete dataset' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/dataset "digits-e2e" is used by runs 1, 2, 3: delete those first/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('tr[data-dataset="digits-e2e"]').waitFor();
  });

  it('renames a dataset inline', async () => {
    await go('#/datasets');
    await page.getByRole('button', { name: 'Rename sample-test' }).click();
    await page.getByLabel('New name for sample-test').fill('kaggle-holdout');
    await page.keyboard.press('Enter');
    await page.locator('tr[data-dataset="kaggle-holdout"]').waitFor();
  });

  it('renders every view in light and dark themes (screenshots)', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const views = [['datasets', '#/datasets'], ['new-run', '#/new'], ['runs', '#/runs'], ['run', '#/runs/1'], ['settings', '#/settings']];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, hash] of views) {
        await go(hash);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(400);
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe(scheme === 'dark' ? 'rgb(23, 25, 29)' : 'rgb(255, 255, 255)');
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`) });
      }
    }
    expect(errors).toEqual([]);
  });

  it('shows a banner when the connection to serve mode is lost', async () => {
    await served.stop();
    await page.getByRole('alert').filter({ hasText: 'Connection to Digit Workbench lost' }).waitFor({ timeout: 10_000 });
  });
});
