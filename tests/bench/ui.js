// UI responsiveness while a run trains: serve mode's event-loop delay (the server runs in this process, measured
// with monitorEventLoopDelay) and the page's frame times (requestAnimationFrame deltas in Chromium) on the live
// run view. Run after `npm run build:node && npm run build:web`:
//   node tests/bench/ui.js [--preset seed-lenet5|cnn-strong|dnn] [--seconds 30]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { launchChromium, ms, quantiles } from './browser.js';
import { Workbench } from '../../build/node/core/workbench.js';
import { startServer } from '../../build/node/server/server.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const preset = arg('preset', 'seed-lenet5');
const seconds = Number(arg('seconds', '30'));
const root = fileURLToPath(new URL('../..', import.meta.url));


const home = mkdtempSync(join(tmpdir(), 'dw-bench-ui-'));
const wb = new Workbench({ home });
const server = await startServer({ wb, webRoot: join(root, 'out', 'web') });
const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${server.url}#/runs`);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();

  const train = (await wb.call('datasets:list')).find((d) => d.name === 'sample-train');
  let progressEvents = 0;
  const off = wb.on((e) => e.type === 'run:progress' && progressEvents++);
  const [run] = await wb.call('runs:start', { datasetId: train.id, preset, hyperparams: { epochs: 50 } });
  await page.evaluate((id) => (location.hash = `#/runs/${id}`), run.id);
  await page.locator('.page-head [data-status="running"]').waitFor({ timeout: 120_000 });
  // Measure only while the trainer is busy: from the first in-epoch progress on.
  await page.waitForFunction(() => Number(document.querySelectorAll('[data-testid=run-charts] .chart')[1]?.dataset.points ?? 0) > 0, undefined, { timeout: 120_000 });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  progressEvents = 0;
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__frames.length < 100_000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  loop.disable();
  const frames = await page.evaluate(() => window.__frames);
  const points = await page.evaluate(() => Number(document.querySelectorAll('[data-testid=run-charts] .chart')[1]?.dataset.points ?? 0));
  const detail = await wb.call('runs:get', { id: run.id });
  off();
  await wb.call('runs:stop', { id: run.id });

  // The histogram records whole timer intervals: subtract the 10 ms sampling interval to get the delay itself.
  const delay = (ns) => Math.max(0, ns / 1e6 - 10);
  const el = { p50: delay(loop.percentile(50)), p99: delay(loop.percentile(99)), max: delay(loop.max) };
  const f = quantiles(frames);
  console.log(`UI bench: ${preset} on sample-train (${train.rows} digits), ${seconds} s while training, backend ${detail.backend}`);
  console.log(`  serve event-loop delay   p50 ${ms(el.p50)}   p99 ${ms(el.p99)}   max ${ms(el.max)}`);
  console.log(`  page frame time (rAF)    p50 ${ms(f.p50)}   p99 ${ms(f.p99)}   max ${ms(f.max)}   (${f.n} frames, ${(f.n / seconds).toFixed(1)} fps)`);
  console.log(`  frames over 50 ms        ${frames.filter((d) => d > 50).length}`);
  console.log(`  run:progress events      ${progressEvents} (${(progressEvents / seconds).toFixed(1)}/s); accuracy chart points ${points}; epochs done ${detail.epochsDone}`);
} finally {
  await browser.close();
  await server.close();
  wb.close();
  rmSync(home, { recursive: true, force: true });
}
