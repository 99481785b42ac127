// Serve mode's browser is a remote client and is never told server paths: every view, walked in Chromium against
// serve on a data folder whose path holds a distinctive name (the temp folder's), shows that name nowhere (text,
// attributes, field values) and no WebSocket message from the server carries it. The fixture imports its CSV and
// writes its submission inside that folder, so dataset sources, the ledger and Settings all had a path to leak.
import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { trainFixture, type Trained } from './fixture.js';
import { launchChromium, startServe, type Served } from './harness.js';
import { openState, viewStates } from './views.js';

/** Runs in the page: where the marker shows (text, an attribute, a field's value), one line each. */
function leaksInPage(marker: string): string[] {
  const out: string[] = [];
  const around = (text: string) => text.slice(Math.max(0, text.indexOf(marker) - 40), text.indexOf(marker) + marker.length + 20);
  if (document.title.includes(marker)) out.push(`title: ${document.title}`);
  const text = document.documentElement.textContent ?? '';
  if (text.includes(marker)) out.push(`text: …${around(text)}…`);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) if (a.value.includes(marker)) out.push(`${tag}[${a.name}]: ${around(a.value)}`);
    const field = el as HTMLInputElement;
    if ((tag === 'input' || tag === 'textarea' || tag === 'select') && field.value.includes(marker)) out.push(`${tag} value: ${around(field.value)}`);
  }
  return out;
}

describe('serve mode names no server path in the browser', () => {
  const home = tempDir('dw-e2e-paths-');
  const marker = basename(home.path);
  let trained: Trained;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const frames: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    trained = await trainFixture(home.path);
    [served, browser] = await Promise.all([startServe(trained.data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const text = String(f.payload);
        if (text.includes(marker)) frames.push(text.slice(0, 300));
      }),
    );
    await page.goto(served.url);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  it('in no view, attribute, field or message', { timeout: 240_000 }, async () => {
    const leaks: string[] = [];
    for (const state of viewStates(trained)) {
      await openState(page, state);
      leaks.push(...(await page.evaluate(leaksInPage, marker)).map((line) => `${state.name}: ${line}`));
    }
    expect(leaks).toEqual([]);
    expect(frames).toEqual([]);
    expect(errors).toEqual([]);
    // The data folder is described in words instead, and the log is offered as a download.
    await page.evaluate(() => (location.hash = '#/settings'));
    await expect.poll(() => page.getByTestId('data-folder').textContent()).toContain("the server's data folder");
    await page.getByRole('button', { name: 'Download log' }).waitFor();
  });
});
