// The embedding map on a Kaggle-size validation set (4,200 digits: the last 42% of 10,000 real digits), for
// seed-lenet5 and cnn-strong trained one epoch (weights do not change the cost): each stage of the computation in
// the trainer process, then, in Debian Chromium over serve mode, the cost of one hover on the 4,200-point canvas
// (pointer move → redraw → next frame). Three rounds each, median and slowest.
//   npm run build && node tests/bench/embedding.js [--presets seed-lenet5,cnn-strong] [--rounds 3]

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { Workbench } from '../../build/node/core/workbench.js';
import { loadMnistDigits } from '../../build/node/core/datasets/mnist-digits.js';
import { writeKaggleCsv } from '../../build/node/core/datasets/kaggle-csv.js';

const { values: opts } = parseArgs({ options: { presets: { type: 'string', default: 'seed-lenet5,cnn-strong' }, rounds: { type: 'string', default: '3' } } });
const ROUNDS = Number(opts.rounds);
const home = mkdtempSync(join(tmpdir(), 'dw-bench-embed-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs, unit = 's', k = 1000) => `median ${(median(xs) / k).toFixed(2)} ${unit}, slowest ${(Math.max(...xs) / k).toFixed(2)} ${unit}`;

const wb = new Workbench({ home });
const runs = {};
try {
  const file = join(home, 'train.csv');
  await writeKaggleCsv(file, loadMnistDigits());
  const { dataset } = await wb.importDataset({ path: file });
  for (const preset of opts.presets.split(',')) {
    const [run] = await wb.call('runs:start', { datasetId: dataset.id, preset, hyperparams: { epochs: 1, validation: { mode: 'tail', ratio: 0.42 } } });
    await wb.runs.waitFor(run.id);
    runs[preset] = run.id;
  }
  // Interleaved rounds: one machine's load drifts over minutes, and both presets see the same drift.
  const times = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [preset, id] of Object.entries(runs)) {
      const marks = { start: performance.now() };
      const off = wb.on((e) => {
        if (e.type === 'embedding:progress' && e.runId === id && !(e.stage in marks)) marks[e.stage] = performance.now();
      });
      const map = await wb.call('embedding:compute', { id, seed: round });
      off();
      const end = performance.now();
      const t = (times[preset] ??= { total: [], activations: [], neighbours: [], layout: [], points: map.points.length, width: map.width, backend: map.backend });
      t.total.push(end - marks.start);
      t.activations.push(marks.neighbours - marks.start); // includes the trainer's start on the first round
      t.neighbours.push(marks.layout - marks.neighbours);
      t.layout.push(end - marks.layout);
    }
  }
  for (const [preset, t] of Object.entries(times)) {
    console.log(`${preset}: ${t.points} digits, ${t.width}-unit penultimate layer, backend ${t.backend}`);
    for (const k of ['total', 'activations', 'neighbours', 'layout']) console.log(`  ${k.padEnd(12)} ${fmt(t[k])}`);
  }
} catch (err) {
  wb.close();
  rmSync(home, { recursive: true, force: true });
  throw err;
}
wb.close();

// The UI: one hover = a pointer move over a point, the canvas redrawn, the next frame painted.
const serve = spawn(process.execPath, ['bin/digit-workbench.js', '--home', home, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => createInterface({ input: serve.stdout }).once('line', (l) => resolve(l.trim())));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${url}#/embedding/${Object.values(runs)[0]}`);
  await page.locator('[data-testid=embedding-canvas][data-points="4200"]').waitFor({ timeout: 60_000 });
  const hovers = [];
  for (let round = 0; round < ROUNDS; round++) {
    hovers.push(
      ...(await page.evaluate(async () => {
        const c = document.querySelector('[data-testid=embedding-canvas]');
        const r = c.getBoundingClientRect();
        const out = [];
        for (let i = 0; i < 40; i++) {
          const t0 = performance.now();
          c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + ((i * 37) % r.width), clientY: r.top + ((i * 53) % r.height), bubbles: true }));
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          out.push(performance.now() - t0);
        }
        return out;
      })),
    );
  }
  console.log(`hover on the ${Object.keys(runs)[0]} 4,200-point map at 1920×1080 (pointer move → redraw → frame, 2 frames awaited): ${fmt(hovers, 'ms', 1)}`);
} finally {
  await browser.close();
  serve.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}
