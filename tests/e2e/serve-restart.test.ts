// Restarting `serve` with an open tab (real serve processes, Debian Chromium): on the same port and data folder the
// token is the same, so the tab reconnects and works; after --new-token the tab stops retrying and says to open the
// new URL instead of spinning on "Reconnecting…".
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireClient } from '../helpers/serve-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, type Served } from './harness.js';

describe('an open tab across serve restarts (Chromium)', () => {
  const home = tempDir('dw-e2e-restart-');
  const data = join(home.path, 'data');
  let served: Served;
  let browser: Browser;
  let page: Page;
  const alert = () => page.getByRole('alert');

  beforeAll(async () => {
    [served, browser] = await Promise.all([startServe(data), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${served.url}#/datasets`);
    // No wait for the selected dataset's images: a restart while they are in flight fails those reads with alerts of
    // their own, and the views must read again once the connection is back (seen in CI before they did).
    await page.locator('tr[data-dataset="sample-test"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const restart = async (args: string[] = []) => {
    const port = Number(new URL(served.url).port);
    await served.stop();
    await alert().filter({ hasText: 'Reconnecting…' }).waitFor();
    served = await startServe(data, { port, args });
    expect(Number(new URL(served.url).port)).toBe(port);
  };

  it('reconnects after a restart on the same port and data folder, and works', async () => {
    const before = new URL(served.url).searchParams.get('token');
    await restart();
    expect(new URL(served.url).searchParams.get('token')).toBe(before);
    // Every alert goes: the banner, and any view's error from a read the restart cut (`first()`: there may be several
    // at once, which a strict locator refuses).
    await alert().first().waitFor({ state: 'detached', timeout: 60_000 });
    // An event from the new process reaches the page over the reconnected socket.
    const u = new URL(served.url);
    const client = await WireClient.connect(Number(u.port), u.searchParams.get('token')!);
    try {
      const [sample] = (await client.call<{ id: number; name: string }[]>('datasets:list')).filter((d) => d.name === 'sample-test');
      await client.call('datasets:rename', { id: sample.id, name: 'renamed-after-restart' });
    } finally {
      client.close();
    }
    await page.locator('tr[data-dataset="renamed-after-restart"]').waitFor();
  });

  it('says to open the new URL, without spinning, after a restart with --new-token', async () => {
    await restart(['--new-token']);
    const refused = alert().filter({ hasText: 'the server was restarted with a new token: open the URL it printed' });
    await refused.waitFor({ timeout: 60_000 });
    // The banner (a view whose request the restart cut may show its own alert beside it).
    expect(await refused.textContent()).not.toMatch(/Reconnecting/);
    // And it has stopped retrying: no new socket over longer than the longest retry delay (10 s).
    let attempts = 0;
    page.on('websocket', () => attempts++);
    await page.waitForTimeout(12_000);
    expect(attempts).toBe(0);
    expect(await refused.count()).toBe(1);
    // The new URL lets the tab back in.
    await page.goto(`${served.url}#/datasets`);
    await page.locator('tr[data-dataset="renamed-after-restart"]').waitFor();
    expect(await alert().count()).toBe(0);
  });
});
