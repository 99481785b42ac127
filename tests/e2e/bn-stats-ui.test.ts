// The BatchNorm statistics choice in New run, in Debian Chromium against serve mode: shown only for a model with
// BatchNorm, with the preset's default and a line saying what the chosen value does, laid out at three widths.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe } from './harness.js';
import { layoutOffenders } from './layout-check.js';

describe('BatchNorm statistics in New run (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-bn-');
  const data = join(home.path, 'data');
  let served: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: data });
    await importSmallTrainSet(wb, home.path, 300);
    wb.close();
    [served, browser] = await Promise.all([startServe(data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.url}#/new`);
    await page.locator('[aria-label="Model summary"] table').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const field = () => page.locator('[data-path="batchNormStats"]');

  it('appears for cnn-strong with its default and what the value does, and not for a model without BatchNorm', async () => {
    await page.locator('label.preset', { hasText: 'seed-lenet5' }).click();
    await expect.poll(() => field().count()).toBe(0);
    await page.locator('label.preset', { hasText: 'cnn-strong' }).click();
    await field().waitFor();
    const select = page.getByLabel('Validate and predict with');
    expect(await select.inputValue()).toBe('recomputed');
    expect(await field().locator('.meta').textContent()).toContain('default recomputed');
    const section = page.locator('fieldset', { has: field() });
    expect(await section.locator('legend').textContent()).toMatch(/re-estimated over 2,048 training images/);
    await select.selectOption('keras');
    expect(await section.locator('legend').textContent()).toMatch(/Keras's moving averages/);
    for (const [width, height] of [[1024, 700], [1440, 900], [1920, 1080]]) {
      await page.setViewportSize({ width, height });
      await field().scrollIntoViewIfNeeded();
      const { offenders } = await layoutOffenders(page, `New run (cnn-strong) at ${width}`);
      expect(offenders).toEqual([]);
    }
    expect(errors).toEqual([]);
  });
});
