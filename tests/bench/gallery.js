// The Errors view's gallery at Kaggle scale: 4,200 validation digits (the size of the full train.csv's 10% split),
// nearly all misclassified, so the gallery holds them all. Times, with performance marks in Chromium: opening the
// view until the gallery is painted (fetch + decode + render), re-rendering on a class filter, and a scripted
// scroll through the whole list (frame times). Run after `npm run build:node && npm run build:web`:
//   node tests/bench/gallery.js

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, ms, quantiles } from './browser.js';
import { Workbench } from '../../build/node/core/workbench.js';
import { startServer } from '../../build/node/server/server.js';
import { loadMnistDigits, PIXELS } from '../../build/node/core/datasets/mnist-digits.js';
import { writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';

const VAL = 4200;
const root = fileURLToPath(new URL('../..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'dw-bench-gallery-'));


// 8,400 real digits, interleaved by class; the validation half (the tail) is labelled one class off, so a
// model trained on the first half gets nearly every validation digit "wrong": a gallery of ~4,200.
const digits = loadMnistDigits();
const order = Array.from({ length: digits.count }, (_, i) => i).sort((a, b) => (a % 1000) - (b % 1000) || a - b).slice(0, 2 * VAL);
const pixels = new Uint8Array(order.length * PIXELS);
const labels = new Uint8Array(order.length);
order.forEach((src, i) => {
  pixels.set(digits.pixels.subarray(src * PIXELS, (src + 1) * PIXELS), i * PIXELS);
  labels[i] = i < VAL ? digits.labels[src] : (digits.labels[src] + 1) % 10;
});
const csv = join(home, 'gallery-bench.csv');
await writeKaggleCsv(csv, { pixels, labels });

const wb = new Workbench({ home });
const server = await startServer({ wb, webRoot: join(root, 'out', 'web') });
const browser = await launchChromium();

try {
  const { dataset } = await wb.importDataset({ path: csv });
  const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset: 'seed-lenet5', hyperparams: { epochs: 1, validation: { mode: 'tail', ratio: 0.5 } } });
  if ((await wb.runs.waitFor(run.id)) !== 'completed') throw new Error(`run ${run.id} did not complete`);
  const wrong = (await wb.call('analysis:digits', { id: run.id, offset: 0, limit: 1 })).total;

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${server.url}#/runs`);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();

  const open = async () =>
    page.evaluate(async (id) => {
      performance.clearMarks();
      performance.mark('open-start');
      location.hash = `#/errors/${id}`;
      await new Promise((resolve) => {
        const poll = () => (document.querySelector('[data-testid=gallery] canvas') ? resolve() : requestAnimationFrame(poll));
        poll();
      });
      // The frame after the DOM holds the digits is the one that paints them.
      await new Promise((r) => requestAnimationFrame(() => r()));
      performance.mark('open-end');
      const g = document.querySelector('[data-testid=gallery]');
      return { ms: performance.measure('open', 'open-start', 'open-end').duration, count: Number(g.dataset.count), rendered: Number(g.dataset.rendered) };
    }, run.id);

  // First open (cold caches), then a second one after visiting another view.
  const cold = await open();
  await page.evaluate(() => (location.hash = '#/runs'));
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  const warm = await open();

  // A class filter re-renders the gallery from the fetched list.
  const filter = await page.evaluate(async () => {
    const select = document.querySelectorAll('.panel-head select')[0];
    performance.mark('filter-start');
    select.value = '3';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    const g = document.querySelector('[data-testid=gallery]');
    const before = g.dataset.count;
    await new Promise((resolve) => {
      const poll = () => (document.querySelector('[data-testid=gallery]')?.dataset.count !== before ? resolve() : requestAnimationFrame(poll));
      poll();
    });
    await new Promise((r) => requestAnimationFrame(() => r()));
    performance.mark('filter-end');
    const ms = performance.measure('filter', 'filter-start', 'filter-end').duration;
    const count = Number(document.querySelector('[data-testid=gallery]').dataset.count);
    select.value = '';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return { ms, count };
  });
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=gallery]')?.dataset.count) === n, warm.count);

  // The page's idle frame time, for reference (headless Chromium paints in software here).
  const idle = await page.evaluate(async () => {
    const frames = [];
    let last = performance.now();
    await new Promise((resolve) => {
      const step = (now) => {
        frames.push(now - last);
        last = now;
        if (frames.length > 60) return resolve();
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    return frames.slice(1);
  });

  // A scripted scroll from top to bottom, 3 rows per frame, recording every frame's duration.
  const scroll = await page.evaluate(async () => {
    const g = document.querySelector('[data-testid=gallery]');
    g.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const frames = [];
    const work = [];
    let maxRendered = 0;
    performance.mark('scroll-start');
    let last = performance.now();
    await new Promise((resolve) => {
      const step = (now) => {
        frames.push(now - last);
        last = now;
        maxRendered = Math.max(maxRendered, Number(g.dataset.rendered));
        if (g.scrollTop + g.clientHeight >= g.scrollHeight - 1) return resolve();
        const t0 = performance.now();
        g.scrollTop += 3 * 86;
        g.dispatchEvent(new Event('scroll'));
        // Script + style + layout of the newly visible rows (the update is synchronous after the scroll event).
        void g.offsetHeight;
        work.push(performance.now() - t0);
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    performance.mark('scroll-end');
    return { ms: performance.measure('scroll', 'scroll-start', 'scroll-end').duration, frames: frames.slice(1), maxRendered, height: g.scrollHeight, work };
  });

  const f = quantiles(scroll.frames);
  const detail = await wb.call('runs:get', { id: run.id });
  console.log(`Gallery bench: ${VAL} validation digits, ${wrong} misclassified (run #${run.id}, backend ${detail.backend}), Chromium ${browser.version()}`);
  console.log(`  open Errors view → gallery painted   cold ${ms(cold.ms)}   warm ${ms(warm.ms)}   (${cold.count} digits in the list, ${cold.rendered} in the DOM)`);
  console.log(`  class filter re-render               ${ms(filter.ms)}   (${filter.count} digits)`);
  console.log(`  scroll top → bottom                  ${ms(scroll.ms)} over ${scroll.height} px, ${f.n} frames (${((f.n / scroll.ms) * 1000).toFixed(1)} fps)`);
  console.log(`  scroll frame time                    p50 ${ms(f.p50)}   p95 ${ms(f.p95)}   p99 ${ms(f.p99)}   max ${ms(f.max)}`);
  const w = quantiles(scroll.work);
  const i = quantiles(idle);
  console.log(`  script+layout per scroll step        p50 ${ms(w.p50)}   p95 ${ms(w.p95)}   max ${ms(w.max)}`);
  console.log(`  idle frame time (reference)          p50 ${ms(i.p50)}   max ${ms(i.max)}`);
  console.log(`  frames over 50 ms                    ${scroll.frames.filter((d) => d > 50).length};  most digits in the DOM at once ${scroll.maxRendered}`);
} finally {
  await browser.close();
  await server.close();
  wb.close();
  rmSync(home, { recursive: true, force: true });
}
