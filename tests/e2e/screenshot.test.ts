// Writes resources/screenshot.png for the README (a completed run's page, dark theme) — only when
// UPDATE_SCREENSHOT=1, since it trains for about a minute: `UPDATE_SCREENSHOT=1 npx vitest run tests/e2e/screenshot.test.ts`.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe } from './harness.js';

const OUT = join(process.cwd(), 'resources', 'screenshot.png');

describe.skipIf(process.env.UPDATE_SCREENSHOT !== '1')('README screenshot', () => {
  it('captures a completed run with its charts (dark theme)', { timeout: 300_000 }, async () => {
    const home = tempDir('dw-shot-');
    const served = await startServe(home.path);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${served.url}#/new`);
      await page.getByLabel('Dataset').selectOption({ label: 'sample-train — 8,000 images' });
      await page.locator('[data-path="epochs"] input').fill('8');
      await page.locator('[data-path="validation.mode"] select').selectOption('stratified');
      await page.locator('[data-path="validation.ratio"] input').fill('0.15');
      await page.getByRole('button', { name: 'Start run' }).click();
      await page.waitForURL(/#\/runs\/1$/);
      // Stay on the page while it trains so the charts keep the in-epoch points.
      await page.locator('.page-head [data-status="completed"]').waitFor({ timeout: 240_000 });
      await page.waitForTimeout(800);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: OUT });
      expect(statSync(OUT).size).toBeLessThan(300 * 1024);
    } finally {
      await browser.close();
      await served.stop();
      home.remove();
    }
  });
});
