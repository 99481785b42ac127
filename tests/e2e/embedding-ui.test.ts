// The embedding map end to end: real serve mode and trainer, Debian Chromium. Reached from a run's page, Compute
// maps the validation digits (progress while it works), the canvas paints each digit where the map puts it,
// hovering one shows it with its label and prediction, a click or Enter opens it in the inspector (saliency too),
// and the stored map is back at once after a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench } from '../../src/core/workbench.js';
import type { EmbeddedDigit } from '../../src/shared/embedding.js';
import { fitPoints, project } from '../../src/renderer/lib/scatter.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { launchChromium, startServe, type Served } from './harness.js';

describe('embedding map view (serve mode, Chromium)', () => {
  const home = tempDir('dw-e2e-embed-');
  const data = join(home.path, 'data');
  let wb: Workbench;
  let served: Served;
  let browser: Browser;
  let page: Page;
  let runId: number;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    wb = new Workbench({ home: data });
    const datasetId = await importSmallTrainSet(wb, home.path, 1500);
    [{ id: runId }] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 2 } });
    expect(await wb.runs.waitFor(runId)).toBe('completed');
    [served, browser] = await Promise.all([startServe(data), chromium]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.url}#/runs/${runId}`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    wb?.close();
    home.remove();
  });

  /** Where a point of the map is on the page, by the same fit the view uses over the canvas's box. */
  async function screenOf(points: EmbeddedDigit[]): Promise<{ at: (i: number) => [number, number] }> {
    const box = (await page.getByTestId('embedding-canvas').boundingBox())!;
    const screen = project(points, fitPoints(points, box.width, box.height, 14));
    return { at: (i) => [box.x + screen[i * 2], box.y + screen[i * 2 + 1]] };
  }

  /** A point with no other within 6 px, so the pointer over it can mean only it. */
  function isolated(points: EmbeddedDigit[], at: (i: number) => [number, number], pick: (p: EmbeddedDigit) => boolean): number {
    return points.findIndex((p, i) => {
      if (!pick(p)) return false;
      const [x, y] = at(i);
      return points.every((_, j) => j === i || Math.hypot(at(j)[0] - x, at(j)[1] - y) > 6);
    });
  }

  it('computes from a run, shows a digit on hover and opens it in the inspector on click', async () => {
    await page.getByRole('link', { name: 'Embedding' }).last().click();
    await page.getByRole('heading', { level: 1, name: 'Embedding map' }).waitFor();
    await page.getByText(`No map for run #${runId} yet`).waitFor();
    await page.getByLabel('Neighbours').fill('12');
    await page.getByLabel('Seed').fill('3');
    await page.getByRole('button', { name: 'Compute', exact: true }).click();
    // Progress shows while the trainer works (a stage title, then UMAP's epochs).
    await page.getByTestId('embedding-progress').waitFor();
    const canvas = page.getByTestId('embedding-canvas');
    await canvas.waitFor({ timeout: 90_000 });
    expect(await canvas.getAttribute('data-points')).toBe('150');

    const map = (await wb.call('embedding:get', { id: runId, neighbors: 12, seed: 3 }))!;
    expect(map.points).toHaveLength(150);
    const { at } = await screenOf(map.points);
    // The canvas paints each digit where the map puts it: the pixel there is not the background's.
    const painted = await page.evaluate(
      ([xs, ys]) => {
        const c = document.querySelector<HTMLCanvasElement>('[data-testid=embedding-canvas]')!;
        const r = c.getBoundingClientRect();
        const ctx = c.getContext('2d')!;
        const k = c.width / r.width;
        const bg = ctx.getImageData(2, 2, 1, 1).data.join();
        return xs.map((x, i) => ctx.getImageData(Math.round((x - r.left) * k), Math.round((ys[i] - r.top) * k), 1, 1).data.join() !== bg);
      },
      [map.points.map((_, i) => at(i)[0]), map.points.map((_, i) => at(i)[1])],
    );
    expect(painted.filter(Boolean).length).toBe(150);

    const wrong = isolated(map.points, at, (p) => p.label !== p.predicted);
    const target = wrong >= 0 ? wrong : isolated(map.points, at, () => true);
    const point = map.points[target];
    await page.mouse.move(...at(target));
    const tip = page.getByTestId('embedding-tip');
    await tip.waitFor();
    expect(Number(await tip.getAttribute('data-idx'))).toBe(point.idx);
    const text = (await tip.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain(`label ${point.label}`);
    expect(text).toContain(`predicted ${point.predicted}`);
    expect(await tip.getByRole('img', { name: `Digit #${point.idx + 1}, labelled ${point.label}` }).count()).toBe(1);

    await page.mouse.click(...at(target));
    const inspector = page.getByTestId('inspector');
    await page.waitForFunction((idx) => document.querySelector('[data-testid=inspector]')?.getAttribute('data-idx') === String(idx), point.idx);
    expect(await inspector.getByRole('heading', { name: `Digit #${point.idx + 1}` }).count()).toBe(1);
    await inspector.getByRole('button', { name: 'Show saliency' }).click();
    await inspector.getByText(`Run #${runId} predicts`).waitFor({ timeout: 30_000 });
    // Away from every point there is nothing to show.
    await page.mouse.move(0, 0);
    await tip.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  }, 150_000);

  it('walks the map with the arrow keys, opens a digit with Enter, and reopens the stored map at once', async () => {
    const canvas = page.getByTestId('embedding-canvas');
    await canvas.focus();
    // The first arrow puts the cursor on the picked digit (keyboard focus alone may already have).
    await page.keyboard.press('ArrowRight');
    const tip = page.getByTestId('embedding-tip');
    await tip.waitFor();
    const first = await tip.getAttribute('data-idx');
    let moved = first;
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp']) {
      await page.keyboard.press(key);
      moved = await tip.getAttribute('data-idx');
      if (moved !== first) break;
    }
    expect(moved).not.toBe(first);
    await page.keyboard.press('Enter');
    await page.waitForFunction((idx) => document.querySelector('[data-testid=inspector]')?.getAttribute('data-idx') === idx, moved);
    expect(await page.locator('#embedding-active').textContent()).toMatch(/Row \d+: label \d, predicted \d/);

    await page.reload();
    await canvas.waitFor();
    expect(await page.getByRole('button', { name: 'Recompute' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Neighbours').inputValue()).toBe('12');
    expect(await page.getByLabel('Seed').inputValue()).toBe('3');
    mkdirSync(join(process.cwd(), 'test-output', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(process.cwd(), 'test-output', 'screenshots', 'embedding-1440.png') });
    expect(errors).toEqual([]);
  }, 60_000);
});
