// The run page's Export model panel in Chromium against real serve mode: the ONNX file downloads and runs in
// ONNX Runtime as the run predicted its validation digits; a tfjs folder shows the command instead of a download;
// the panel keeps the layout rule at 1024, 1440 and 1920 pixels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { agreement, runOnnx } from '../helpers/onnx-runtime.js';
import { tempDir } from '../helpers/temp-home.js';
import { launchChromium, startServe, type Served } from './harness.js';
import { layoutOffenders } from './layout-check.js';

describe('Export model on the run page (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-onnx-');
  const data = join(home.path, 'data');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let validation: { pixels: Uint8Array; probs: Float32Array };

  beforeAll(async () => {
    const wb = new Workbench({ home: data, sample: false, backend: 'wasm', workers: 1 });
    try {
      const datasetId = await importSmallTrainSet(wb, home.path, 300);
      const [run] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
      // What the run predicted for its validation digits when it stored its best epoch.
      const stored = wb.db.prepare('SELECT indices, probs FROM val_predictions WHERE run_id = ?').get(run.id) as { indices: Buffer; probs: Buffer };
      const indices = new Int32Array(new Uint8Array(stored.indices).buffer);
      const all = loadDatasetArrays(wb.db, datasetId).pixels;
      const pixels = new Uint8Array(indices.length * 784);
      indices.forEach((row, i) => pixels.set(all.subarray(row * 784, (row + 1) * 784), i * 784));
      validation = { pixels, probs: new Float32Array(new Uint8Array(stored.probs).buffer) };
    } finally {
      wb.close();
    }
    [served, browser] = await Promise.all([startServe(data), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    await page.goto(served.url);
    await page.evaluate(() => (location.hash = '#/runs/1'));
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    home.remove();
  });

  const panel = () => page.locator('section', { has: page.getByRole('heading', { name: 'Export model' }) });

  it('downloads the ONNX file, which ONNX Runtime runs as the run predicted', async () => {
    await panel().waitFor();
    expect(await panel().getByLabel('Format').inputValue()).toBe('onnx');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), panel().getByRole('button', { name: 'Download model' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^digit-workbench-run1-best-[0-9T-]+Z\.onnx$/);
    const file = readFileSync((await download.path())!);
    // Stored validation probabilities come from training's evaluation pass, not prediction's folded plan: 1e-4.
    const a = agreement(await runOnnx(file, validation.pixels), validation.probs);
    expect(a.maxDiff).toBeLessThan(1e-4);
    expect(a.labelMismatches).toBe(0);
    await expect.poll(() => panel().getByTestId('model-export-result').innerText()).toMatch(/Downloaded\s+digit-workbench-run1-best-.+\.onnx\s+Weights\s+epoch 1 · ONNX/);
  });

  it('a tfjs folder cannot be one download: the button is off and the command that writes it is shown', async () => {
    await panel().getByLabel('Format').selectOption('tfjs');
    await panel().getByLabel('Weights').selectOption('last');
    expect(await panel().getByRole('button', { name: 'Download model' }).isDisabled()).toBe(true);
    expect(await panel().getByRole('textbox', { name: 'Command that exports the model' }).inputValue()).toBe(
      'digit-workbench model export --run 1 --out digit-workbench-run1-last --weights last',
    );
  });

  it('keeps every control visible and uncovered at 1024, 1440 and 1920 pixels', async () => {
    const offenders: string[] = [];
    for (const width of [1024, 1440, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      await panel().scrollIntoViewIfNeeded();
      offenders.push(...(await layoutOffenders(page, `run page ${width}px`)).offenders);
      await page.screenshot({ path: join(process.cwd(), 'test-output', 'screenshots', `run-export-${width}.png`), fullPage: true });
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    }
    expect(offenders).toEqual([]);
  });
});
