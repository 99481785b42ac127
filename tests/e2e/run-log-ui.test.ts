// The run page's Log tab, lineage, CPU/memory columns and Copy command, and Settings › Download log, in Chromium
// against real serve mode on a data folder where a real trainer has trained one run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, type Served } from './harness.js';

describe('run log, lineage and logs in the UI (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-logs-');
  const data = join(home.path, 'data');
  let served: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const wb = new Workbench({ home: data, sample: false, backend: 'wasm', workers: 1 });
    try {
      const datasetId = await importSmallTrainSet(wb, home.path, 300);
      const [run] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1, batchSize: 64 } });
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
    } finally {
      wb.close();
    }
    [served, browser] = await Promise.all([startServe(data), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.origin });
    page = await context.newPage();
    await page.goto(served.url);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('shows the run’s lineage, CPU and memory per epoch, and its log in the Log tab', async () => {
    await page.evaluate(() => (location.hash = '#/runs/1'));
    const epochs = page.getByRole('table', { name: 'Epochs' });
    await epochs.waitFor();
    const row = await epochs.locator('tbody tr').first().innerText();
    expect(row).toMatch(/\d+%\s+\d+ MB$/);
    const lineage = page.locator('section', { has: page.getByRole('heading', { name: 'Lineage' }) });
    await expect.poll(() => lineage.innerText()).toMatch(/wasm \d+\.\d+\.\d+ · 1 worker/);
    await page.getByRole('tab', { name: 'Log' }).click();
    const log = page.getByRole('log', { name: 'Run log' });
    await log.waitFor();
    await expect.poll(() => log.innerText()).toMatch(/training on wasm with 1 worker[\s\S]*run completed/);
    expect(await epochs.count()).toBe(0); // the tab replaced the table
    await page.screenshot({ path: join(process.cwd(), 'test-output', 'screenshots', 'run-log.png') });
  });

  it('copies the command that re-creates the run', async () => {
    await page.getByRole('button', { name: 'Copy command' }).click();
    const shown = page.getByRole('textbox', { name: 'Command that re-creates the run' });
    await expect.poll(() => shown.inputValue()).toMatch(/^digit-workbench train --dataset small-300-7 --preset seed-lenet5 --epochs 1 --batch-size 64 --seed 42 --backend wasm --workers 1$/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await shown.inputValue());
  });

  it('downloads the log from Settings (a browser cannot open the server’s folder)', async () => {
    await page.evaluate(() => (location.hash = '#/settings'));
    const button = page.getByRole('button', { name: 'Download log' });
    await button.waitFor();
    expect(await page.getByRole('button', { name: 'Open logs folder' }).count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^digit-workbench-log-.+\.txt$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toMatch(/info  \[serve \d+\] cli: digit-workbench serve --port 0\n/);
  });
});
