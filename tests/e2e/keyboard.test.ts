// Every view's main action without a mouse: reached with Tab from the navigation, shown with a visible focus
// style, and done with Enter or Space (arrow keys inside the confusion grid and the radio group); a skip link and
// sidebar links put focus into the view; New run starts in a few keys. Real serve mode over a few tiny trained
// runs, Debian Chromium.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { trainFixture, type Trained } from './fixture.js';
import { launchChromium, startServe, type Served } from './harness.js';
import { openState, viewStates } from './views.js';

describe('keyboard: each view’s main action by Tab and Enter/Space', () => {
  const home = tempDir('dw-e2e-keys-');
  let t: Trained;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    t = await trainFixture(home.path);
    [served, browser] = await Promise.all([startServe(t.data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const open = async (hash: string, ready: Locator) => {
    await page.evaluate((h) => (location.hash = h), hash);
    await ready.waitFor();
  };

  const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

  /** Starts at the view's navigation link (as a user arriving from the sidebar) and presses Tab until `target`
   *  has focus; returns the number of presses. Fails when it is not reached: then it is no tab stop. */
  async function tabTo(target: Locator, max = 150): Promise<number> {
    await target.waitFor();
    await page.locator('nav[aria-label=Main] a[aria-current=page]').focus();
    for (let n = 1; n <= max; n++) {
      await page.keyboard.press('Tab');
      if (await isFocused(target)) return n;
    }
    throw new Error(`${await target.evaluate((el) => el.outerHTML.slice(0, 120))} was not reached in ${max} Tab presses`);
  }

  /** The focused control looks different from the unfocused one: an outline or a ring of box-shadow. */
  async function expectFocusRing(target: Locator) {
    const ring = (el: Element) => {
      const s = getComputedStyle(el);
      const label = (el as HTMLInputElement).labels?.[0];
      const l = label ? getComputedStyle(label) : null;
      return [s.outlineStyle, s.outlineWidth, s.boxShadow, l?.outlineStyle, l?.boxShadow].join(' | ');
    };
    const focused = await target.evaluate(ring);
    expect(focused, 'a focus style: outline or box-shadow').toMatch(/solid|rgb/);
    await target.evaluate((el) => (el as HTMLElement).blur());
    const plain = await target.evaluate(ring);
    expect(focused).not.toBe(plain);
    // Back by keyboard, so the browser shows it as keyboard focus again.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await isFocused(target)).toBe(true);
  }

  it('every box that scrolls (the page aside) can be scrolled from the keyboard, in every view at 1024×700', { timeout: 120_000 }, async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const stuck: string[] = [];
    let scrolling = 0;
    try {
      for (const state of viewStates(t)) {
        await openState(page, state);
        const found = await page.evaluate(() => {
          const out: string[] = [];
          let n = 0;
          const focusable = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]';
          for (const el of document.querySelectorAll<HTMLElement>('body *:not(main)')) {
            const s = getComputedStyle(el);
            const y = /auto|scroll/.test(s.overflowY) && el.scrollHeight > el.clientHeight + 1;
            const x = /auto|scroll/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
            if (!x && !y) continue;
            n++;
            // Focusable itself (arrow keys scroll it), or holding controls that Tab scrolls into view.
            const reachable = el.tabIndex >= 0 || [...el.querySelectorAll<HTMLElement>(focusable)].some((c) => c.tabIndex >= 0);
            if (!reachable) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].filter((c) => !c.startsWith('svelte-')).join('.')} (${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40)})`);
          }
          return { n, out };
        });
        scrolling += found.n;
        stuck.push(...found.out.map((o) => `${state.name}: ${o}`));
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    // The check saw scrolling boxes at all (the runs table and ledger scroll sideways at this size).
    expect(scrolling).toBeGreaterThan(2);
    expect(stuck).toEqual([]);
  });

  it('Datasets: Import CSV… opens the file chooser', async () => {
    await open('#/datasets', page.locator('tr[data-dataset="sample-train"]'));
    const importButton = page.getByRole('button', { name: 'Import CSV…' });
    await tabTo(importButton);
    await expectFocusRing(importButton);
    // Waiting for the event turns on Playwright's file-chooser interception, a message of its own to the page: a
    // round trip on the same connection makes sure it is on before Enter (on a loaded machine Enter could win).
    const chooserEvent = page.waitForEvent('filechooser');
    await page.evaluate(() => 0);
    await page.keyboard.press('Enter');
    const chooser = await chooserEvent;
    expect(chooser.isMultiple()).toBe(false);
  });

  it('Datasets: a class filter button with Space shows only that class', async () => {
    const three = page.getByRole('group', { name: 'Filter by class' }).getByRole('button', { name: '3', exact: true });
    await tabTo(three);
    await expectFocusRing(three);
    await page.keyboard.press('Space');
    await expect.poll(async () => new Set(await page.getByTestId('digit-grid').locator('figcaption .lbl').allTextContents())).toEqual(new Set(['3']));
  });

  it('New run: Start run with Enter queues the run and opens it; Stop on its page with Enter stops it', async () => {
    await open('#/new', page.locator('[aria-label="Model summary"] table'));
    const start = page.getByRole('button', { name: 'Start run' });
    await expect.poll(() => start.isEnabled()).toBe(true);
    await tabTo(start);
    await expectFocusRing(start);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/runs\/\d+$/);
    await page.locator('.page-head [data-status="running"]').waitFor({ timeout: 90_000 });
    const stop = page.getByRole('region', { name: 'Live progress' }).getByRole('button', { name: 'Stop' });
    await tabTo(stop);
    await expectFocusRing(stop);
    await page.keyboard.press('Enter');
    await page.locator('.page-head [data-status="stopped"]').waitFor({ timeout: 30_000 });
  });

  const focusedText = () => page.evaluate(() => `${document.activeElement?.tagName.toLowerCase()} ${document.activeElement?.textContent?.trim()}`);

  /** Tab presses from the New run heading (where the sidebar link leaves focus) to `target`. */
  async function tabsFromHeading(target: Locator, max = 200): Promise<number> {
    await page.getByRole('heading', { level: 1, name: 'New run' }).focus();
    for (let n = 1; n <= max; n++) {
      await page.keyboard.press('Tab');
      if (await isFocused(target)) return n;
    }
    throw new Error(`not reached in ${max} Tab presses`);
  }

  /** Stops the run whose page is open, from its Live progress strip, so it does not hold the trainer. */
  async function stopOpenRun() {
    await page.getByRole('region', { name: 'Live progress' }).getByRole('button', { name: 'Stop' }).click();
    await page.locator('.page-head [data-status="stopped"]').waitFor({ timeout: 60_000 });
  }

  it('the skip link is the first Tab stop, shows itself, and moves focus into the view', async () => {
    await open('#/runs', page.locator(`[data-testid=runs-table] tr[data-run="${t.noted}"]`));
    // A fresh page: the first Tab starts from the top of the document.
    await page.reload();
    await page.locator(`[data-testid=runs-table] tr[data-run="${t.noted}"]`).waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('button', { name: 'Skip to main content' });
    expect(await isFocused(skip)).toBe(true);
    const box = (await skip.boundingBox())!;
    expect(box.width).toBeGreaterThan(40);
    expect(box.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await expect.poll(focusedText).toBe('h1 Runs');
    // The next Tab is a control of the view, not of the sidebar.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);
  });

  it('a sidebar link moves focus to the view it opens', async () => {
    for (const [name, heading] of [['Datasets', 'Datasets'], ['New run', 'New run'], ['Errors', 'Errors'], ['Settings', 'Settings']]) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(focusedText).toMatch(new RegExp(`^h1 ${heading}`));
    }
  });

  it('New run: Start is a few keys away (Enter in a field, Ctrl+Enter anywhere), for seed-lenet5 and cnn-strong; focus lands on the run', { timeout: 120_000 }, async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New run' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(focusedText).toBe('h1 New run');
    const start = page.getByRole('button', { name: 'Start run' });
    await expect.poll(() => start.isEnabled()).toBe(true);
    // The first text field (Epochs) is three stops in: the dataset, the preset group, the field. Enter there starts.
    const epochs = page.getByLabel('Epochs', { exact: true });
    expect(await tabsFromHeading(epochs)).toBeLessThanOrEqual(3);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/runs\/\d+$/);
    const first = Number(page.url().split('/').pop());
    await expect.poll(focusedText).toBe(`h1 Run #${first}`);
    await stopOpenRun();

    // cnn-strong: its model has dozens of layer controls before Start; Ctrl+Enter in the last of them starts it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New run' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(focusedText).toBe('h1 New run');
    await page.locator('label.preset', { hasText: 'cnn-strong' }).click();
    await page.locator('[aria-label="Model summary"] td', { hasText: 'batch_normalization' }).first().waitFor();
    await expect.poll(() => start.isEnabled()).toBe(true);
    const lastLayerControl = page.locator('fieldset.model input, fieldset.model select').last();
    await lastLayerControl.focus();
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/#\/runs\/\d+$/);
    const second = Number(page.url().split('/').pop());
    expect(second).toBeGreaterThan(first);
    await expect.poll(focusedText).toBe(`h1 Run #${second}`);
    expect((await page.locator('.page-head .sub').textContent())!.trim()).toMatch(/^cnn-strong on /);
    await stopOpenRun();
  });

  it('Runs: a run’s notes dialog opens with Enter, closes with Escape and gives focus back', async () => {
    await open('#/runs', page.locator(`[data-testid=runs-table] tr[data-run="${t.noted}"]`));
    const edit = page.getByRole('button', { name: `Edit notes and tags of run ${t.noted}` });
    await tabTo(edit);
    await expectFocusRing(edit);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Notes and tags of run #${t.noted}` });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(edit)).toBe(true);
  });

  it('Runs: Compare shown with Enter opens the comparison', async () => {
    const compare = page.getByRole('link', { name: 'Compare shown' });
    await tabTo(compare);
    await expectFocusRing(compare);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/compare\/[\d,]+$/);
    await page.locator('[data-metric=valAcc] .chart').waitFor();
  });

  it('Compare: Space on a run’s box takes it out of the comparison', async () => {
    await open(`#/compare/${t.runs.join(',')}`, page.locator('[data-metric=valAcc] .chart'));
    const box = page.locator(`input[type=checkbox][data-run="${t.runs[0]}"]`);
    await tabTo(box);
    await expectFocusRing(box);
    await page.keyboard.press('Space');
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/compare/${t.runs.slice(1).join(',')}$`));
  });

  it('Errors: the confusion matrix is one tab stop; arrows reach a cell and Enter shows exactly its digits', async () => {
    await open(`#/errors/${t.noted}`, page.getByTestId('confusion'));
    const cells = page.locator('[data-testid=confusion] td button');
    expect(await cells.count()).toBe(100);
    expect(await page.locator('[data-testid=confusion] button[tabindex="0"]').count()).toBe(1);
    const first = page.locator('[data-testid=confusion] button[tabindex="0"]');
    await tabTo(first);
    await expectFocusRing(first);
    // One more Tab leaves the grid: it is a single stop, not a hundred.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=confusion]'))).toBe(false);
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(first)).toBe(true);

    // The fullest off-diagonal cell, reached with the arrow keys from 0→0.
    const counts = await page.locator('[data-testid=confusion] td').evaluateAll((tds) => tds.map((td) => ({ ...(td as HTMLElement).dataset })));
    const target = counts.filter((c) => c.t !== c.p).sort((x, y) => Number(y.count) - Number(x.count))[0];
    expect(Number(target.count)).toBeGreaterThan(0);
    for (let i = 0; i < Number(target.t); i++) await page.keyboard.press('ArrowDown');
    for (let i = 0; i < Number(target.p); i++) await page.keyboard.press('ArrowRight');
    const cell = page.locator(`[data-testid=confusion] td[data-t="${target.t}"][data-p="${target.p}"] button`);
    expect(await isFocused(cell)).toBe(true);
    expect(await cell.getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('gallery').getAttribute('data-count')).toBe(target.count);
    expect(await cell.getAttribute('aria-pressed')).toBe('true');
    // Home and End stay in the row.
    await page.keyboard.press('Home');
    expect(await isFocused(page.locator(`[data-testid=confusion] td[data-t="${target.t}"][data-p="0"] button`))).toBe(true);
  });

  it('Embedding: Compute with Enter maps the digits; the map is one tab stop, arrows walk it and Enter opens a digit', { timeout: 120_000 }, async () => {
    await open(`#/embedding/${t.noted}`, page.getByRole('form', { name: 'Compute the embedding map' }));
    const compute = page.getByRole('form', { name: 'Compute the embedding map' }).getByRole('button');
    await tabTo(compute);
    await expectFocusRing(compute);
    await page.keyboard.press('Enter');
    await expect.poll(() => compute.textContent(), { timeout: 90_000 }).toBe('Recompute');
    const map = page.getByTestId('embedding-canvas');
    await tabTo(map);
    await expectFocusRing(map);
    const tip = page.getByTestId('embedding-tip');
    const start = await tip.getAttribute('data-idx');
    let now = start;
    for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp']) {
      await page.keyboard.press(key);
      now = await tip.getAttribute('data-idx');
      if (now !== start) break;
    }
    expect(now).not.toBe(start);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('inspector').getAttribute('data-idx')).toBe(now);
  });

  it('Diff: Swap with Enter exchanges A and B', async () => {
    await open(`#/diff/${t.runs[0]}/${t.noted}`, page.getByTestId('diff-summary'));
    const swap = page.getByRole('button', { name: 'Swap' });
    await tabTo(swap);
    await expectFocusRing(swap);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toMatch(new RegExp(`#/diff/${t.noted}/${t.runs[0]}$`));
  });

  it('Submissions: Space picks a run, Enter on Download submission exports it', async () => {
    await open('#/submissions', page.getByTestId('ledger'));
    const box = page.locator(`input[type=checkbox][data-run="${t.noted}"]`);
    await tabTo(box);
    await expectFocusRing(box);
    await page.keyboard.press('Space');
    const download = page.getByRole('button', { name: 'Download submission' });
    await expect.poll(() => download.isEnabled()).toBe(true);
    await tabTo(download);
    await expectFocusRing(download);
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    await page.getByTestId('export-result').waitFor();
  });

  it('Autopilot: Plan with Enter shows the plan and its reasons; a finished job’s Download submission with Enter', async () => {
    await open('#/autopilot', page.getByRole('form', { name: 'Plan a submission' }));
    const budget = page.getByRole('textbox', { name: 'Budget' });
    await budget.fill('20m');
    const plan = page.getByRole('button', { name: 'Plan', exact: true });
    await tabTo(plan);
    await expectFocusRing(plan);
    await page.keyboard.press('Enter');
    await page.getByTestId('autopilot-plan').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('autopilot-plan').textContent()).toMatch(/× .*: .* predicted[\s\S]*Why[\s\S]*If a member runs slow/);
    await expect.poll(() => page.getByRole('button', { name: 'Start' }).isEnabled()).toBe(true);

    await open(`#/autopilot/${t.autopilot}`, page.getByTestId('autopilot-result'));
    const download = page.getByRole('button', { name: 'Download submission' });
    await tabTo(download);
    await expectFocusRing(download);
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), page.keyboard.press('Enter')]);
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    await page.getByText(/^Saved: 2,?000 rows/).waitFor();
  });

  it('Draw: Random with Enter loads a digit and predicts it', async () => {
    await open('#/draw', page.getByTestId('draw-pad'));
    const random = page.getByRole('button', { name: 'Random' });
    await tabTo(random);
    await expectFocusRing(random);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('top-class').textContent()).toMatch(/^\d$/);
  });

  it('Settings: arrow keys in the backend group choose another backend and save it', async () => {
    await open('#/settings', page.getByText('loads here').first());
    const checked = page.locator('input[type=radio]:checked');
    const before = await checked.getAttribute('value');
    await tabTo(checked);
    await expectFocusRing(checked);
    await page.keyboard.press('ArrowDown');
    await page.getByRole('status').filter({ hasText: /saved|Saved|backend/ }).waitFor();
    const after = await page.locator('input[type=radio]:checked').getAttribute('value');
    expect(after).not.toBe(before);
    await page.reload();
    await expect.poll(() => page.locator('input[type=radio]:checked').getAttribute('value')).toBe(after);
    expect(errors).toEqual([]);
  });
});
