// The desktop app itself (Playwright's _electron on the built out/main/index.js, a temp data folder): its window
// gets the preload's bridge and blocks injected scripts, a run of the sample trains in a utility process, a killed
// trainer fails the run with Chromium's reason, and resume completes it. It runs wherever Electron's binary is
// installed (npm start downloads it); elsewhere vitest reports it skipped with the reason.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunDetail, RunInfo } from '../../src/shared/runs.js';
import type { DatasetInfo } from '../../src/shared/types.js';
import { tempDir } from '../helpers/temp-home.js';

const root = process.cwd();

/** The binary the electron package points at, or null when its postinstall download never ran (or failed). */
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as string;
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

type Reply<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

/** A contract call through the window's preload bridge, as the renderer makes it. */
async function call<T>(page: Page, name: string, args?: unknown): Promise<T> {
  const reply = await page.evaluate(
    ([n, a]) => (window as unknown as { workbench: { methods: Record<string, (x: unknown) => Promise<unknown>> } }).workbench.methods[n as string](a),
    [name, args] as const,
  ) as Reply<T>;
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeout = 120_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeout / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pids of the app's trainer utility processes (named by src/main/trainer.ts). */
function trainerPids(app: ElectronApplication): Promise<number[]> {
  return app.evaluate(({ app: electronApp }) =>
    electronApp
      .getAppMetrics()
      .filter((m) => m.type === 'Utility' && [m.name, m.serviceName].some((n) => n?.startsWith('digit-workbench trainer')))
      .map((m) => m.pid),
  );
}

describe('the desktop app (Electron)', () => {
  it('trains the sample in a utility process; a killed trainer fails the run with its reason; resume completes it', async (ctx) => {
    const binary = electronBinary();
    if (!binary) return ctx.skip('skipped: no Electron binary');
    const main = join(root, 'out', 'main', 'index.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);

    const home = tempDir('dw-electron-');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ELECTRON_')) env[k] = v;
    env.DIGIT_WORKBENCH_HOME = home.path;
    const app = await _electron.launch({
      executablePath: binary,
      // The project folder: its package.json's main is the built out/main/index.js, and app.getAppPath() is the
      // folder the main process loads build/node from.
      args: [
        root,
        ...((process.getuid?.() ?? -1) === 0 ? ['--no-sandbox'] : []), // Chromium refuses root without it
        ...(process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? [] : ['--ozone-platform=headless']),
      ],
      cwd: root,
      env,
      timeout: 60_000,
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'))).toBe(home.path);

      // The window's CSP (the built page's meta tag) blocks a script injected into it.
      const ran = await page.evaluate(async () => {
        const w = window as unknown as { __ran?: boolean };
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.head.append(s);
        await new Promise((r) => setTimeout(r, 200));
        return w.__ran === true;
      });
      expect(ran).toBe(false);

      const sample = (await call<DatasetInfo[]>(page, 'datasets:list')).find((d) => d.name === 'sample-train')!;
      // Small batches: the epoch lasts long enough to be interrupted.
      const [run] = await call<RunInfo[]>(page, 'runs:start', { datasetId: sample.id, preset: 'seed-lenet5', hyperparams: { epochs: 1, batchSize: 8 } });
      const [pid] = await until('a trainer process', () => trainerPids(app), (pids) => pids.length === 1);
      await until('the run running', () => call<RunInfo>(page, 'runs:get', { id: run.id }), (r) => r.status === 'running' && r.backend !== null);
      process.kill(pid, 'SIGKILL');

      const failed = await until('the run failed', () => call<RunDetail>(page, 'runs:get', { id: run.id }), (r) => r.status === 'failed');
      expect(failed.error).toMatch(/^the trainer process was killed \(killed, exit code -?\d+\) during epoch 1$/);
      expect(failed.epochsDone).toBe(0);

      await call(page, 'runs:resume', { id: run.id });
      const done = await until('the run completed', () => call<RunDetail>(page, 'runs:get', { id: run.id }), (r) => r.status === 'completed' || r.status === 'failed');
      expect(done).toMatchObject({ status: 'completed', error: null, epochsDone: 1, backend: failed.backend, workers: failed.workers });
      expect(done.epochs[0].valAcc).toBeGreaterThan(0.5);
    } finally {
      await app.close();
      home.remove();
    }
  });
});
