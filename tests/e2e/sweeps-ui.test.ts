// The Sweeps view end to end: a real three-trial sweep trained beforehand, served, in Chromium. The plot draws one
// line per trial; dragging along the accuracy axis keeps only the trials in that band, in the plot and the table.
// A trial pruned after it had finished (its stop came after its last epoch) reads the same in the trials table and
// on its run's page: pruned at its rung, run completed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { markPruned } from '../../src/core/sweeps/sweeps-repo.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

const SHOTS = join(process.cwd(), 'test-output', 'screenshots');

describe('Sweeps view (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-sweeps-');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let bests: number[] = [];
  let lateRunId = 0;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    const wb = new Workbench({ home: home.path, sample: false });
    const datasetId = await importSmallTrainSet(wb, home.path, 300);
    // 1e-7 barely trains: the three trials end far apart on the accuracy axis.
    const sweep = await wb.call('sweeps:start', { datasetId, preset: 'seed-lenet5', params: ['learningRate=0.003,0.001,1e-7', 'epochs=2'], search: 'grid', seed: 1 });
    await wb.sweeps.waitFor(sweep.id);
    const trials = (await wb.call('sweeps:get', { id: sweep.id })).trialList;
    bests = trials.map((t) => t.best!);
    // What ASHA records when it prunes the 1e-7 trial at epoch 1 but the stop reaches its worker after epoch 2.
    lateRunId = trials[2].runId;
    markPruned(wb.db, lateRunId, 1);
    // Sweep #2, stopped as soon as it started: one trial started (stopped), none done.
    const stopped = await wb.call('sweeps:start', { datasetId, preset: 'seed-lenet5', params: ['learningRate=0.003,0.001'], hyperparams: { epochs: 2 }, search: 'grid', seed: 1 });
    await wb.call('sweeps:stop', { id: stopped.id });
    await wb.sweeps.waitFor(stopped.id);
    wb.close();
    [served, browser] = await Promise.all([startServe(home.path), chromium]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const rows = () => page.locator('[data-testid=trials-table] tbody tr').count();
  const linesIn = () => page.locator('[data-testid=parcoords] path.line:not(.out)').count();

  it('lists the sweep from the navigation and draws one line per trial', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sweeps' }).click();
    await page.locator('[data-testid=sweeps-table] a', { hasText: '#1' }).click();
    await page.waitForURL(/#\/sweeps\/1$/);
    await waitInPage(page, () => document.querySelectorAll('[data-testid=parcoords] path.line').length === 3);
    expect(await rows()).toBe(3);
    expect(await page.locator('[data-testid=parcoords] [data-axis]').evaluateAll((g) => g.map((x) => (x as SVGGElement).dataset.axis))).toEqual(['learningRate', 'best']);
    expect(await page.locator('[data-importance]').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Best trial against the runner-up' }).textContent()).toMatch(/Trial \d \(run \d\)/);
  });

  it('brushing the top of the accuracy axis filters the lines and the table; a click clears it', async () => {
    const axis = (await page.locator('[data-axis-line=best]').boundingBox())!;
    const x = axis.x + axis.width / 2;
    // From just above the best trial down to 40% of the axis: the 1e-7 trial (at the bottom) is left out.
    await page.mouse.move(x, axis.y - 2);
    await page.mouse.down();
    await page.mouse.move(x, axis.y + axis.height * 0.3, { steps: 4 });
    await page.mouse.move(x, axis.y + axis.height * 0.6, { steps: 4 });
    await page.mouse.up();
    const lo = Math.min(...bests) + 0.4 * (Math.max(...bests) - Math.min(...bests));
    const kept = bests.filter((b) => b >= lo - 1e-9).length;
    expect(kept).toBeLessThan(3);
    await expect.poll(rows).toBe(kept);
    expect(await linesIn()).toBe(kept);
    expect(await page.getByTestId('shown-count').textContent()).toBe(`${kept} of 3 trials`);
    const shownAcc = await page.locator('[data-testid=trials-table] tbody tr td:last-child').allTextContents();
    for (const text of shownAcc) expect(parseFloat(text) / 100).toBeGreaterThanOrEqual(lo - 0.0001);

    await page.mouse.click(x, axis.y + axis.height * 0.5);
    await expect.poll(rows).toBe(3);
    expect(await linesIn()).toBe(3);
    expect(errors).toEqual([]);
  });

  it('at several window sizes every visible control is inside the window and not covered', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const [width, height] of [[1280, 900], [1024, 700], [820, 640]]) {
      await page.setViewportSize({ width, height });
      const bad = await page.evaluate(() => {
        const out: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('main a, main button, main input, main select')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          // Scrolled into view first: a long page may hold controls below the fold, which is fine.
          el.scrollIntoView({ block: 'center', inline: 'center' });
          const s = el.getBoundingClientRect();
          const hit = document.elementFromPoint(s.x + s.width / 2, s.y + s.height / 2);
          const inside = s.left >= 0 && s.top >= 0 && s.right <= innerWidth && s.bottom <= innerHeight;
          if (!inside || !(hit === el || el.contains(hit))) out.push(`${el.tagName} "${el.textContent?.trim() || el.getAttribute('aria-label')}"`);
        }
        return out;
      });
      expect(bad, `${width}×${height}`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `sweeps-${width}.png`), fullPage: true });
    }
  });

  it('a trial pruned after its last epoch: pruned at 1 with its run completed in the table, the same on the run page', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const row = page.locator(`[data-testid=trials-table] tr[data-trial="${lateRunId}"]`);
    expect((await row.locator('td').nth(2).innerText()).trim()).toBe('Pruned at 1 · run completed');
    expect(await row.locator('.st.pruned').getAttribute('title')).toBe('pruned at epoch 1; it had finished all its epochs when the stop arrived');
    expect(await row.locator('td').nth(4).innerText()).toBe('2/2');
    await row.getByRole('link', { name: `#${lateRunId}` }).click();
    await page.waitForURL(new RegExp(`#/runs/${lateRunId}$`));
    const callout = page.getByTestId('pruned');
    await callout.waitFor();
    expect(await page.locator('.page-head [data-status]').getAttribute('data-status')).toBe('completed');
    expect(await callout.innerText()).toMatch(/^Sweep #1 pruned at epoch 1; it had finished all its epochs when the stop arrived \(ASHA: .*\)\. Its epochs and results are complete; the sweep counts it as pruned\.$/);
    expect(await callout.getByRole('link', { name: 'Sweep #1' }).getAttribute('href')).toBe('#/sweeps/1');
    for (const width of [1024, 1440, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${width}: no sideways scroll`).toBe(true);
      await page.screenshot({ path: join(SHOTS, `run-pruned-${width}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });

  it('counts done trials one way, numbers trials from 1, capitalises status words, and says when importance cannot be told', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.evaluate(() => (location.hash = '#/sweeps/2'));
    const progress = page.getByTestId('sweep-progress');
    await progress.waitFor();
    const listed = page.locator('[data-testid=sweeps-table] tbody tr').nth(1);
    expect(await listed.getByTestId('trials-done').innerText()).toBe('0/2');
    expect(await progress.innerText()).toMatch(/^Stopped · 0\/2 trials done \(1 started, not done\)/);
    expect(await listed.locator('td').nth(1).innerText()).toBe('Stopped');
    const trialRow = page.locator('[data-testid=trials-table] tbody tr').first();
    expect(await trialRow.locator('td').first().innerText()).toBe('1');
    expect(await trialRow.locator('td').nth(2).innerText()).toBe('Stopped');

    await page.evaluate(() => (location.hash = '#/sweeps/1'));
    await page.locator('[data-testid=trials-table] tbody tr').nth(2).waitFor();
    expect(await page.getByTestId('sweep-progress').innerText()).toMatch(/^Completed · 3\/3 trials done/);
    expect(await page.locator('[data-testid=trials-table] tbody tr td:first-child').allInnerTexts()).toEqual(['1', '2', '3']);
    expect(await page.locator('[data-testid=trials-table] tbody tr').first().locator('td').nth(2).innerText()).toBe('Completed');
    // The same word in the runs table's badges.
    const importance = page.locator('[data-importance=learningRate]');
    expect(await importance.getAttribute('data-verdict')).toBe('too-few-trials');
    expect(await importance.innerText()).toContain('too few trials to tell');
    expect(await importance.innerText()).not.toMatch(/%/);
    expect(await page.getByRole('region', { name: 'Best trial against the runner-up' }).textContent()).toMatch(/Trial [123] \(run \d\)/);
    await page.evaluate(() => (location.hash = '#/runs'));
    await page.locator('[data-testid=runs-table] span.badge[data-status=completed]').first().waitFor();
    expect(await page.locator('[data-testid=runs-table] span.badge[data-status=completed]').first().innerText()).toBe('Completed');
    expect(errors).toEqual([]);
  });
});
