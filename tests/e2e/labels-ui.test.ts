// The label-issues view end to end: real serve mode over a job trained beforehand on real digits, Debian Chromium.
// The gallery shows the core's ranking; decisions saved from it make a dataset version whose lineage the dataset
// page shows; a job started from the form trains and its issues appear.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import type { LabelIssueRecord } from '../../src/shared/labels.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

describe('label issues view (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-labels-');
  const data = join(home.path, 'data');
  let wb: Workbench;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  let issues: LabelIssueRecord[];
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    wb = new Workbench({ home: data });
    datasetId = await importSmallTrainSet(wb, home.path, 300);
    const job = await wb.call('labels:start', { datasetId, folds: 2, epochs: 2 });
    for (const r of job.runs) expect(await wb.runs.waitFor(r.id)).toBe('completed');
    issues = (await wb.call('labels:issues', { key: job.key })).issues;
    expect(issues.length).toBeGreaterThan(1);
    [served, browser] = await Promise.all([startServe(data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    wb?.close();
    home.remove();
  });

  it('shows the ranked issues, saves relabel and exclude decisions as a version with its lineage', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Label issues' }).click();
    const rows = await waitInPage(page, () => {
      const cards = [...document.querySelectorAll('.gallery [data-row]')];
      return cards.length ? cards.map((c) => Number(c.getAttribute('data-row'))) : null;
    });
    expect(rows).toEqual(issues.slice(0, 60).map((i) => i.row));
    const [first, second] = issues;
    const card = page.locator(`[data-row="${first.row}"]`);
    expect(await card.textContent()).toContain(`given ${first.label} → suggested ${first.suggested}`);
    await card.getByLabel('Relabel as').check();
    await page.locator(`[data-row="${second.row}"]`).getByLabel('Exclude').check();
    await page.getByLabel('Name of the new dataset version').fill('fixed by hand');
    await page.getByRole('button', { name: 'Save as new dataset version' }).click();
    await page.getByRole('status').getByRole('link', { name: 'fixed by hand' }).click();

    const lineage = page.getByLabel('Dataset lineage');
    await lineage.waitFor();
    const text = await lineage.textContent();
    expect(text).toContain('1 relabelled');
    expect(text).toContain(`${first.row}: ${first.label}→${first.suggested}`);
    expect(text).toContain(`1 excluded: rows ${second.row}`);
    const made = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'fixed by hand')!;
    expect(made.rows).toBe(299);
    expect(loadDatasetArrays(wb.db, datasetId).rows).toBe(300);
    expect(errors).toEqual([]);
  });

  it('starts a job from the form and shows its issues once its fold runs complete', async () => {
    await page.evaluate(() => (location.hash = '#/labels'));
    const form = page.getByRole('form', { name: 'Find label issues' });
    await form.getByLabel('Folds').fill('2');
    await form.getByLabel('Epochs').fill('1');
    await form.getByRole('button', { name: 'Find label issues' }).click();
    await waitInPage(page, () => document.querySelectorAll('[aria-label="Label-issues jobs"] li').length === 2);
    await waitInPage(page, () => document.querySelector('.gallery [data-row]') !== null, 120_000);
    const jobs = await wb.call('labels:jobs', undefined);
    expect(jobs).toHaveLength(2);
    expect(jobs[0].status).toBe('completed');
    expect(page.url()).toContain(`#/labels/${jobs[0].key}`);
    expect(errors).toEqual([]);
  }, 150_000);

  it('every control of the view is inside the window and not covered, at several window sizes', async () => {
    mkdirSync(join(process.cwd(), 'test-output', 'screenshots'), { recursive: true });
    await page.evaluate(() => (location.hash = '#/labels'));
    await waitInPage(page, () => document.querySelector('.gallery [data-row]') !== null);
    for (const [width, height] of [[1440, 900], [1100, 800], [900, 700]]) {
      await page.setViewportSize({ width, height });
      const bad = await page.evaluate(() => {
        const main = document.querySelector('main')!;
        const controls = [...main.querySelectorAll<HTMLElement>('button, input, select, a')].filter((el) => {
          const inGallery = el.closest('.gallery li');
          return el.getClientRects().length > 0 && (!inGallery || [...document.querySelectorAll('.gallery li')].indexOf(inGallery) < 4);
        });
        const problems: string[] = [];
        if (main.scrollWidth > main.clientWidth) problems.push(`the view scrolls sideways (${main.scrollWidth} > ${main.clientWidth})`);
        for (const el of controls) {
          // Vertical scrolling only: a horizontal scroll would hide a control pushed out of the window.
          main.scrollTop += el.getBoundingClientRect().top - innerHeight / 2;
          const r = el.getBoundingClientRect();
          const name = `${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30)}`;
          if (r.left < 0 || r.right > innerWidth + 0.5) problems.push(`${name}: outside the window (${r.left}–${r.right})`);
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          const ok = hit === el || (hit && el.contains(hit)) || (hit instanceof HTMLLabelElement && hit.control === el);
          if (!ok) problems.push(`${name}: covered by ${hit?.tagName}.${hit?.className}`);
        }
        return problems;
      });
      expect(bad, `${width}×${height}`).toEqual([]);
      await page.screenshot({ path: join(process.cwd(), 'test-output', 'screenshots', `labels-${width}.png`) });
    }
  });
});
