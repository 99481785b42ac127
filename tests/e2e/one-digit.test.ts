// One digit, one number: a misclassified validation digit followed through every place that shows it (the
// Embedding tooltip and inspector, Errors, Diff, Draw, the Datasets preview, the CLI's embedding --json). Each
// names it by the same 1-based row (the CSV line minus one) and draws the same 784 bytes. Real serve, Chromium.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import type { EmbeddedDigit } from '../../src/shared/embedding.js';
import { fitPoints, project } from '../../src/renderer/lib/scatter.js';
import { runCli } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { trainFixture, type Trained } from './fixture.js';
import { launchChromium, startServe, type Served, openApp, goTo } from './harness.js';

describe('one digit, one number: the same row and pixels in every view', () => {
  const home = tempDir('dw-e2e-one-digit-');
  let t: Trained;
  let wb: Workbench;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const chromium = launchChromium();
    t = await trainFixture(home.path);
    wb = new Workbench({ home: t.data });
    [served, browser] = await Promise.all([startServe(t.data), chromium]);
    page = await openApp(browser, served, errors, { timeout: 20_000 });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    wb?.close();
    home.remove();
  });

  const go = (hash: string) => goTo(page, hash);

  /** The 784 bytes a digit canvas shows (its red channel: the digits are grey). */
  const canvasBytes = (canvas: Locator) =>
    canvas.evaluate((c) => {
      const el = c as HTMLCanvasElement;
      const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
      return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4]);
    });

  /** The inspector shows `row` as its heading, and the same pixels. */
  async function expectInspector(row: number, pixels: number[]) {
    const inspector = page.getByTestId('inspector');
    await inspector.getByRole('heading', { name: `Digit #${row}`, exact: true }).waitFor();
    expect(await canvasBytes(inspector.getByRole('img', { name: new RegExp(`^Digit #${row},`) }).locator('canvas'))).toEqual(pixels);
  }

  it('shows a misclassified digit as the same row with the same pixels everywhere', { timeout: 240_000 }, async () => {
    const run = await wb.call('runs:get', { id: t.noted });
    const [other] = t.runs;

    // Embedding: compute the map in the UI, then point at a wrong digit with no neighbour within 6 px.
    await go(`#/embedding/${t.noted}`);
    const form = page.getByRole('form', { name: 'Compute the embedding map' });
    await form.getByRole('button', { name: 'Compute', exact: true }).click();
    const canvas = page.getByTestId('embedding-canvas');
    await canvas.waitFor({ timeout: 120_000 });
    const map = (await wb.call('embedding:get', { id: t.noted }))!;
    const box = (await canvas.boundingBox())!;
    const screen = project(map.points, fitPoints(map.points, box.width, box.height, 14));
    const at = (i: number): [number, number] => [box.x + screen[i * 2], box.y + screen[i * 2 + 1]];
    const alone = (i: number) => map.points.every((_, j) => j === i || Math.hypot(at(j)[0] - at(i)[0], at(j)[1] - at(i)[1]) > 6);
    const target = map.points.findIndex((p: EmbeddedDigit, i) => p.label !== p.predicted && alone(i));
    expect(target).toBeGreaterThanOrEqual(0);
    const digit = map.points[target];
    const row = digit.idx + 1;
    const stored = Buffer.from((await wb.call('datasets:images', { id: run.datasetId, offset: digit.idx, limit: 1 })).images[0].pixels, 'base64');
    const pixels = Array.from(stored);

    await page.mouse.move(...at(target));
    const tip = page.getByTestId('embedding-tip');
    await tip.waitFor();
    expect((await tip.textContent())!.replace(/\s+/g, ' ')).toContain(`row ${row} ·`);
    expect(await canvasBytes(tip.getByRole('img', { name: `Digit #${row}, labelled ${digit.label}` }).locator('canvas'))).toEqual(pixels);
    await page.mouse.click(...at(target));
    await expectInspector(row, pixels);

    // Errors: its confusion cell's gallery names it by the same row; picked, the inspector agrees.
    await go(`#/errors/${t.noted}`);
    await page.locator(`[data-testid=confusion] td[data-t="${digit.label}"][data-p="${digit.predicted}"] button`).click();
    const cell = page.locator(`[data-testid=gallery] [data-idx="${digit.idx}"]`);
    expect(await cell.getAttribute('aria-label')).toMatch(new RegExp(`^row ${row}: true ${digit.label}, predicted ${digit.predicted}`));
    expect(await cell.getAttribute('title')).toMatch(new RegExp(`^#${row}:`));
    await cell.click();
    await expectInspector(row, pixels);

    // Diff (A: another run, B: this one): wrong in B, so it is among the digits B broke or both get wrong.
    await go(`#/diff/${other}/${t.noted}`);
    await page.getByTestId('diff-summary').waitFor();
    const inDiff = page.locator(`[data-testid=gallery-broken] [data-idx="${digit.idx}"], [data-testid=gallery-both] [data-idx="${digit.idx}"]`);
    expect(await inDiff.getAttribute('aria-label')).toMatch(new RegExp(`^row ${row}: `));
    await inDiff.click();
    await expectInspector(row, pixels);

    // Draw: the stored-digit field takes the same row and loads the same bytes onto the pad.
    await go('#/draw');
    await page.getByLabel('Model').selectOption(String(t.noted));
    await page.getByLabel('Load digit').fill(String(row));
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => page.getByTestId('sample').textContent()).toMatch(new RegExp(`^Stored digit #${row}, labelled ${digit.label}$`));
    await expect.poll(() => page.getByTestId('prediction').getAttribute('data-input')).toBe(stored.toString('base64'));

    // Datasets preview: jumping to the row shows it under the same number with the same pixels.
    await go(`#/datasets/${run.datasetId}`);
    await page.getByLabel('Row', { exact: true }).fill(String(row));
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    const figure = page.locator(`[data-testid=digit-grid] figure[data-row="${row}"]`);
    await figure.waitFor();
    expect(await figure.locator('figcaption').textContent()).toBe(`${digit.label}#${row}`);
    expect(await canvasBytes(figure.locator('canvas'))).toEqual(pixels);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-row'))).toBe(String(row));

    // The CLI names it by the same row.
    const cli = await runCli(t.data, ['embedding', String(t.noted), '--json']);
    expect(cli.code).toBe(0);
    const printed = (JSON.parse(cli.stdout) as { points: { row: number; label: number; predicted: number }[] }).points.find((p) => p.row === row);
    expect(printed).toMatchObject({ label: digit.label, predicted: digit.predicted });
    expect(errors).toEqual([]);
  });

  it('screen readers hear a confusion cell’s count with its noun in the right number (“1 digit”)', async () => {
    // A run of the fixture whose matrix has a cell of exactly one digit (with 60 validation digits over 100 cells,
    // every one of them has several).
    const reports = await Promise.all(t.runs.map((id) => wb.call('analysis:confusion', { id })));
    const report = reports.find((r) => r.matrix.some((row) => row.includes(1)));
    expect(report).toBeDefined();
    await go(`#/errors/${report!.runId}`);
    await page.getByTestId('confusion').waitFor();
    const cells = await page.locator('[data-testid=confusion] td').evaluateAll((tds) =>
      tds.map((td) => ({ n: Number((td as HTMLElement).dataset.count), label: td.querySelector('button')!.getAttribute('aria-label') })),
    );
    expect(cells.filter((c) => c.n === 1).length).toBeGreaterThan(0);
    expect(cells.map((c) => c.label!.replace(/^true \d, predicted \d: /, ''))).toEqual(cells.map((c) => `${c.n} ${c.n === 1 ? 'digit' : 'digits'}`));
  });

  it('a row outside the dataset gets the valid range, in the Datasets preview and in Draw', async () => {
    const run = await wb.call('runs:get', { id: t.noted });
    const rows = (await wb.call('datasets:list', undefined)).find((d) => d.id === run.datasetId)!.rows;
    await go(`#/datasets/${run.datasetId}`);
    await page.getByLabel('Row', { exact: true }).fill('99999');
    await page.getByRole('button', { name: 'Go', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`rows 1–${rows.toLocaleString('en-US')}; 99999 is not one of them`);

    await go('#/draw');
    await page.getByLabel('Load digit').fill('99999');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`rows 1–${rows.toLocaleString('en-US')}; 99999 is not one of them`);
    // Row 1 is the first image (Draw's field starts there).
    await page.getByLabel('Load digit').fill('1');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const first = (await wb.call('datasets:images', { id: run.datasetId, offset: 0, limit: 1 })).images[0];
    await expect.poll(() => page.getByTestId('prediction').getAttribute('data-input')).toBe(first.pixels);
    expect(await page.getByTestId('sample').textContent()).toMatch(/^Stored digit #1\b/);
    expect(errors).toEqual([]);
  });
});
