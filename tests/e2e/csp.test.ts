// The built pages enforce the Content-Security-Policy themselves: the <meta> tag both builds inject (the Electron
// window loads out/renderer/index.html from file://, where no response header applies) blocks a script injected
// into the page, while the app's own bundle, styles and — in serve mode — its WebSocket still work.
// Needs `npm run build` (npm test runs it): out/web for serve mode, out/renderer for the desktop window.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP_META } from '../../src/shared/csp.js';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, waitInPage, type Served } from './harness.js';

interface Violation {
  directive: string;
  blocked: string;
  disposition: string;
}

declare global {
  interface Window {
    __violations?: Violation[];
    __injected?: boolean;
  }
}

const builtPage = (folder: string) => {
  const file = join(process.cwd(), 'out', folder, 'index.html');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return file;
};

/** Records every violation from the first line of the page on (an init script runs outside the page's CSP). */
async function watchViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations!.push({ directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition }),
    );
  });
}

/**
 * The desktop window has the preload's bridge, so the page makes no network connection; without one it would
 * try serve mode's WebSocket, which a file:// page has no host for. Every call answers with an error here.
 */
async function standInForThePreload(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const reply = async () => ({ ok: false, error: { code: 'internal', message: 'no core behind this test page' } });
    Object.defineProperty(window, 'workbench', {
      value: { methods: new Proxy({}, { get: () => reply }), onEvent: () => () => undefined },
    });
  });
}

/** Injects an inline script, an inline event handler and a string timer (an eval); resolves with what ran and what was reported. */
function injectScripts(page: Page): Promise<{ ran: string[]; violations: Violation[] }> {
  return page.evaluate(async () => {
    const ran: string[] = [];
    (window as unknown as { __ran: (what: string) => void }).__ran = (what) => ran.push(what);
    const before = window.__violations!.length;
    const script = document.createElement('script');
    script.textContent = "window.__injected = true; window.__ran('inline script')";
    document.head.append(script);
    const holder = document.createElement('div');
    holder.innerHTML = `<img src="data:," onload="window.__ran('inline handler')" onerror="window.__ran('inline handler')">`;
    document.body.append(holder);
    // A string timer is an eval that runs later, as page code (an eval inside page.evaluate is DevTools' own code,
    // which the policy does not govern).
    (setTimeout as (code: string, ms: number) => number)("window.__ran('string timer')", 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    holder.remove();
    return { ran, violations: window.__violations!.slice(before) };
  });
}

function expectBlocked(result: { ran: string[]; violations: Violation[] }): void {
  expect(result.ran).toEqual([]);
  expect(result.violations.length).toBeGreaterThanOrEqual(3);
  for (const v of result.violations) {
    expect(v.disposition).toBe('enforce');
    expect(v.directive).toMatch(/^script-src/);
  }
  expect(result.violations.map((v) => v.blocked).sort()).toEqual(expect.arrayContaining(['eval', 'inline']));
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium({ extraArgs: ['--allow-file-access-from-files'] });
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['renderer', 'web'])('the built out/%s/index.html', (folder) => {
  it('carries the policy in a <meta> tag ahead of every script and style', () => {
    const html = readFileSync(builtPage(folder), 'utf8');
    const meta = `<meta http-equiv="Content-Security-Policy" content="${CSP_META}" />`;
    expect(html).toContain(meta);
    const at = html.indexOf(meta);
    for (const tag of ['<script', '<link rel="stylesheet"', '<style']) {
      const first = html.indexOf(tag);
      if (first !== -1) expect(first, tag).toBeGreaterThan(at);
    }
  });

  it('loaded from file:// (as the desktop window loads it), runs its own bundle and blocks injected scripts', async () => {
    const page = await browser.newPage();
    try {
      await watchViolations(page);
      await standInForThePreload(page);
      await page.goto(pathToFileURL(builtPage(folder)).href);
      // The app's module bundle ran ('self' covers file://) and rendered into #app.
      await waitInPage(page, () => document.querySelector('#app')!.childElementCount > 0, 30_000);
      expect(await page.evaluate(() => window.__violations)).toEqual([]);
      expectBlocked(await injectScripts(page));
      expect(await page.evaluate(() => window.__injected)).toBeUndefined();
    } finally {
      await page.close();
    }
  });
});

describe('serve mode with the built page', () => {
  const home = tempDir('dw-csp-');
  let served: Served;
  afterAll(async () => {
    await served?.stop();
    home.remove();
  });

  it('talks over its WebSocket without a violation, and blocks injected scripts', async () => {
    served = await startServe(home.path);
    const page = await browser.newPage();
    try {
      await watchViolations(page);
      const response = await page.goto(`${served.url}#/datasets`);
      expect(response!.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      // The sample datasets arrive over the WebSocket (connect-src 'self').
      await page.locator('tr[data-dataset="sample-train"]').waitFor({ timeout: 60_000 });
      expect(await page.evaluate(() => window.__violations)).toEqual([]);
      expectBlocked(await injectScripts(page));
    } finally {
      await page.close();
    }
  });
});
