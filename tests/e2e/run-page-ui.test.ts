// A run's page tells the run's story as it happens: a run stopped before its first epoch shows no made-up duration
// and a whole 0–100% accuracy axis; a run started while its page is open gets its worker count at once and the
// Errors/Embedding/Draw links with its first epoch, without a reload, and shows its backend and images/s once.
// Real serve mode and trainers (held at an epoch boundary by the epoch gate), Debian Chromium.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { EPOCH_GATE_ENV } from '../../src/trainer/epoch-gate.js';
import { EpochGate } from '../helpers/epoch-gate.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, type Served, openApp } from './harness.js';

describe('run page (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-run-page-');
  const data = join(home.path, 'data');
  const gate = new EpochGate();
  let served: Served;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  let stopped: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: data });
    try {
      datasetId = await importSmallTrainSet(wb, home.path, 600);
      const [run] = await wb.call('runs:start', { datasetId, preset: 'cnn-strong', hyperparams: { epochs: 3 } });
      await wb.call('runs:stop', { id: run.id });
      expect(await wb.runs.waitFor(run.id)).toBe('stopped');
      stopped = run.id;
    } finally {
      wb.close();
    }
    // Serve's trainers inherit the gate from its environment.
    process.env[EPOCH_GATE_ENV] = gate.dir;
    try {
      [served, browser] = await Promise.all([startServe(data), chromium]);
    } finally {
      delete process.env[EPOCH_GATE_ENV];
    }
    page = await openApp(browser, served, errors, { timeout: 20_000 });
  }, 150_000);

  afterAll(async () => {
    gate.open();
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('a run stopped before its first epoch: no duration, the whole 0–100% accuracy axis', async () => {
    await page.evaluate((h) => (location.hash = h), `#/runs/${stopped}`);
    await page.locator('.page-head [data-status="stopped"]').waitFor();
    expect(await page.getByTestId('duration').textContent()).toBe('—');
    await expect.poll(() => page.locator('.chart[aria-label^="Accuracy"]').getAttribute('data-y-range')).toBe('0..1');
    expect(await page.getByText('This run ended before its first epoch finished.').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('a run started from its page’s view gets its workers, and its analysis links with epoch 1, without a reload', { timeout: 120_000 }, async () => {
    gate.close();
    await page.evaluate(() => (location.hash = '#/new'));
    await page.locator('[aria-label="Model summary"] table').waitFor();
    await page.getByLabel('Dataset').selectOption(String(datasetId));
    await page.getByLabel('Epochs', { exact: true }).fill('3');
    const start = page.getByRole('button', { name: 'Start run' });
    await expect.poll(() => start.isEnabled()).toBe(true);
    await start.click();
    await page.waitForURL(/#\/runs\/\d+$/);
    const id = Number(page.url().split('/').pop());
    // The trainer has sent epoch 1 and waits: the page must show what epoch 1 brings while the run still runs.
    await gate.waitHeld('epoch 1 of the started run', (h) => h.runId === id && h.epoch === 1);
    const head = page.locator('.page-head');
    await head.locator('[data-status="running"]').waitFor();
    for (const name of ['Errors', 'Embedding', 'Draw']) await head.getByRole('link', { name }).waitFor();
    await expect.poll(() => page.getByTestId('workers').textContent()).toMatch(/^\d+ training workers?$/);
    // Backend and images/s once: in the figures, not again in the live strip (the lineage panel is a record apart).
    const figures = page.locator('main .kpis, main [aria-label="Live progress"]');
    expect(await figures.getByText('Backend', { exact: true }).count()).toBe(1);
    expect(await figures.getByText('Images/s', { exact: true }).count()).toBe(1);
    await page.getByRole('region', { name: 'Live progress' }).getByRole('button', { name: 'Stop' }).click();
    await head.locator('[data-status="stopped"]').waitFor({ timeout: 60_000 });
    expect(errors).toEqual([]);
  });
});
