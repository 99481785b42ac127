// E2E harness: the real `digit-workbench serve` on a temp data folder, and Debian's Chromium via playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Served {
  url: string;
  origin: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns serve mode and resolves with the URL it prints first on stdout; `args` are more `serve` options, `env` more variables. */
export async function startServe(home: string, opts: { port?: number; args?: string[]; env?: Record<string, string> } = {}): Promise<Served> {
  const proc = spawn(process.execPath, ['bin/digit-workbench.js', '--home', home, 'serve', '--port', String(opts.port ?? 0), ...(opts.args ?? [])], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`serve printed no URL in 30 s: ${stderr}`)), 30_000);
  });
  return {
    url,
    origin: new URL(url).origin,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** `extraArgs`: e.g. --allow-file-access-from-files, so a file:// page loads its module scripts as Electron's does. */
export function launchChromium(opts: { extraArgs?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--disable-sync', '--disable-quic', ...(opts.extraArgs ?? []),
    ],
  });
}

/** Polls a condition evaluated in the page (one atomic read of the DOM) until it holds. */
export async function waitInPage<T>(page: Page, fn: () => T | null | undefined | false, timeout = 60_000): Promise<T> {
  const handle = await page.waitForFunction(fn, undefined, { timeout, polling: 100 });
  return (await handle.jsonValue()) as T;
}

/** A tab on serve mode's address at 1440×900 whose uncaught page errors land in `errors` (each test expects none). */
export async function openApp(browser: Browser, served: Served, errors: string[], opts: { timeout?: number } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (opts.timeout) page.setDefaultTimeout(opts.timeout);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url);
  return page;
}

/** Opens a view by its address (`#/runs/3`) in the page, as a link would. */
export const goTo = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);
