// Every view, with runs present (and the widest content: a long dataset name, a cnn-strong run with tags and notes,
// a sweep, a label-issues job), at the three window sizes the workbench is used at: no control is covered, clipped,
// pushed outside the window or reachable only by scrolling sideways; the page never scrolls sideways, and at 1440 or
// wider no table column is out of view (tests/e2e/layout-check.ts).
// All offenders are listed at the end, with view, size and label, not just the first.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { trainFixture, type Trained } from './fixture.js';
import { launchChromium, startServe, type Served } from './harness.js';
import { layoutOffenders } from './layout-check.js';
import { openState, SIZES, viewStates } from './views.js';

describe('layout: every control visible, uncovered and inside the window', () => {
  const home = tempDir('dw-e2e-layout-');
  let trained: Trained;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    trained = await trainFixture(home.path, 600, { wide: true });
    [served, browser] = await Promise.all([startServe(trained.data), chromium]);
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('holds in every view at 1024×700, 1440×900 and 1920×1080', { timeout: 300_000 }, async () => {
    const offenders: string[] = [];
    const sparse: string[] = [];
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      for (const state of viewStates(trained)) {
        const context = `${state.name} at ${width}×${height}`;
        try {
          await openState(page, state);
        } catch (err) {
          // A control the state needs could not be clicked (covered, off-screen): an offender too, and the
          // check goes on so the report lists everything.
          offenders.push(`${context}: could not open it: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
        const found = await layoutOffenders(page, context, state.pinned);
        offenders.push(...found.offenders);
        // A view has its navigation links, a dialog its two buttons: fewer means the check saw nothing.
        if (found.checked < 2) sparse.push(`${context}: only ${found.checked} controls`);
      }
    }
    expect(sparse).toEqual([]);
    expect(offenders).toEqual([]);
    expect(errors).toEqual([]);
  });
});
