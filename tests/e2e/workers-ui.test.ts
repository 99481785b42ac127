// Settings → Workers and New run's "Run on: worker pool" end to end: serve mode in Chromium, a real redis-server and
// a real `digit-workbench worker` process. Bad URLs are errors in the panel; a saved URL shows its password masked;
// the worker is listed; a run and a sweep started from New run train on it, with live charts, and complete.
import { cpus, hostname } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { freePort, PASSWORD, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

describe('Workers panel and Run on: worker pool (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-workers-');
  let redis: TestRedis;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let worker: WorkerProcess | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: home.path, sample: false });
    await importSmallTrainSet(wb, home.path, 400);
    wb.close();
    [redis, served, browser] = await Promise.all([startRedis(), startServe(home.path), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await worker?.kill();
    await redis?.stop();
    home.remove();
  });

  const go = (hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const panel = () => page.getByRole('region', { name: 'Workers', exact: true });
  const saveUrl = async (url: string) => {
    await panel().getByLabel('Redis URL').fill(url);
    await panel().getByRole('button', { name: 'Save' }).click();
  };

  it('a wrong password or an unreachable Redis is an error in the panel, with the password masked; nothing is saved', async () => {
    await go('#/settings');
    await saveUrl(`redis://:not-${PASSWORD}@127.0.0.1:${redis.port}`);
    await expect.poll(() => panel().getByRole('alert').textContent(), { timeout: 15_000 }).toContain(`Redis at redis://:***@127.0.0.1:${redis.port} refused the password`);
    const port = await freePort();
    await saveUrl(`redis://:hunter2@127.0.0.1:${port}`);
    await expect.poll(() => panel().getByRole('alert').textContent(), { timeout: 15_000 }).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(await page.locator('body').textContent()).not.toMatch(/hunter2|not-test-pass/);
    expect(await panel().getByText('Pool:').count()).toBe(0);
  });

  it('saves the right URL, shows it masked, and lists a worker that connects with its host, cores, backend and heartbeat', async () => {
    await saveUrl(redis.url);
    await panel().getByText(`Pool: redis://:***@127.0.0.1:${redis.port}`).waitFor({ timeout: 15_000 });
    await expect.poll(() => panel().getByLabel('Redis URL').inputValue()).toBe('');
    expect(await panel().getByLabel('Redis URL').getAttribute('type')).toBe('password');
    expect(await page.locator('body').textContent()).not.toContain(PASSWORD);
    expect(await panel().getByRole('status').textContent()).toMatch(/^0 worker\(s\) connected/);

    worker = await startWorkerProcess(redis.url, 'ui-worker');
    const row = panel().getByRole('table', { name: 'Connected workers' }).locator('tbody tr');
    await row.first().waitFor({ timeout: 15_000 });
    const cells = await row.first().locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual(['ui-worker', hostname(), String(cpus().length), 'wasm', '—']);
    expect(cells[5]).toMatch(/^\d+ s ago$/);
    expect(await panel().getByRole('status').textContent()).toMatch(/^1 worker\(s\) connected/);
  }, 60_000);

  it('New run with "Run on: worker pool" trains on the worker: live charts while it trains, then completed', async () => {
    await go('#/new');
    await page.locator('[data-path="epochs"] input').fill('3');
    const runOn = page.getByLabel('Run on');
    await expect.poll(() => runOn.locator('option[value=pool]').isDisabled()).toBe(false);
    await runOn.selectOption('pool');
    await expect.poll(() => page.getByTestId('validation-message').count()).toBe(0);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/1$/);
    // One atomic read: still running, and its accuracy chart has in-epoch points from the worker's progress.
    const seen = await waitInPage(page, () => {
      const status = document.querySelector<HTMLElement>('.page-head [data-status]')?.dataset.status;
      const points = Number(document.querySelectorAll<HTMLElement>('[data-testid=run-charts] .chart')[1]?.dataset.points ?? 0);
      return status === 'running' && points > 0 ? { points } : null;
    }, 120_000);
    expect(seen.points).toBeGreaterThan(0);
    await page.locator('.page-head [data-status="completed"]').waitFor({ timeout: 180_000 });
    expect(await page.locator('table[aria-label=Epochs] tbody tr').count()).toBe(3);
    const chartPoints = () => page.locator('[data-testid=run-charts] .chart').evaluateAll((charts) => charts.map((c) => (c as HTMLElement).dataset.points));
    await expect.poll(chartPoints).toEqual(['6', '6']);

    // The run is the worker's: the owner's database says which worker trained each epoch.
    const wb = new Workbench({ home: home.path, sample: false });
    try {
      const run = await wb.call('runs:get', { id: 1 });
      expect(run.target).toBe('pool');
      expect(run.epochWorkers).toEqual(['ui-worker', 'ui-worker', 'ui-worker']);
    } finally {
      wb.close();
    }
  }, 300_000);

  it('a sweep started with "Run on: worker pool" trains its trials on the worker', async () => {
    await go('#/new');
    await page.locator('[data-path="epochs"] input').fill('1');
    await page.getByLabel('Sweep hyperparameters').check();
    await page.getByLabel('Sweep parameter 1', { exact: true }).selectOption('learningRate');
    await page.getByLabel('Values for sweep parameter 1').fill('0.001, 0.002');
    await page.getByLabel('Run on').selectOption('pool');
    await page.getByRole('button', { name: 'Start sweep of 2 trials' }).click();
    await page.waitForURL(/#\/sweeps\/1$/);
    await page.getByText('Completed · 2/2 trials done on the worker pool').waitFor({ timeout: 240_000 });
    const wb = new Workbench({ home: home.path, sample: false });
    try {
      const sweep = await wb.call('sweeps:get', { id: 1 });
      for (const t of sweep.trialList) {
        const run = await wb.call('runs:get', { id: t.runId });
        expect([run.status, run.target, run.epochWorkers]).toEqual(['completed', 'pool', ['ui-worker']]);
      }
    } finally {
      wb.close();
    }
    expect(errors).toEqual([]);
  }, 300_000);
});
