// The learning-rate finder in New run, end to end: real serve mode and trainer, Debian Chromium. The button runs
// the range test on the chosen dataset, the curve is drawn, and "Use this value" puts the suggestion in the form.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

describe('learning-rate finder (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-lr-');
  const data = join(home.path, 'data');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: data });
    datasetId = await importSmallTrainSet(wb, home.path, 300);
    wb.close();
    [served, browser] = await Promise.all([startServe(data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.url}#/new`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('plots loss against learning rate and uses the suggestion', async () => {
    await page.getByLabel('Dataset').first().selectOption(String(datasetId));
    const panel = page.getByRole('region', { name: 'Learning-rate finder' });
    await panel.getByRole('button', { name: 'Find learning rate' }).click();
    const suggested = await waitInPage(page, () => document.querySelector('[data-testid="lr-suggested"]')?.textContent, 60_000);
    expect(Number(suggested)).toBeGreaterThan(1e-7);
    expect(Number(suggested)).toBeLessThan(1);
    const points = Number(await panel.locator('[data-points]').getAttribute('data-points'));
    expect(points).toBeGreaterThan(10);
    await panel.getByRole('button', { name: 'Use this value' }).click();
    const value = Number(await page.getByLabel('Learning rate', { exact: true }).inputValue());
    expect(value / Number(suggested)).toBeGreaterThan(0.9);
    expect(value / Number(suggested)).toBeLessThan(1.1);
    expect(errors).toEqual([]);
  }, 90_000);
});
