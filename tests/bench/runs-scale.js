// The runs table with many runs: fills a temp data folder with 5,000 realistic runs (tests/bench/seed-runs.js, no
// training), starts `digit-workbench serve` on it and drives headless Debian Chromium to time what a user waits for:
// the runs table's first paint (navigation → rows in the DOM), a sort, a text filter and a hyperparameter filter,
// and Compare with 50 runs' curves; plus runs:list over the WebSocket (time, and bytes on the wire and as JSON).
// Each figure is the median and the slowest of the rounds, next to the target. Run after the build:
//   npm run bench:runs [-- --runs 5000 --rounds 5]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { launchChromium } from './browser.js';
import { seedRuns } from './seed-runs.js';
import { Workbench } from '../../build/node/core/workbench.js';
import { resolveHyperparams } from '../../build/node/core/training/presets.js';
import { DB_FILE } from '../../build/node/core/db/open.js';
import { paramSummary } from '../../build/node/core/training/runs-list.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '5000'));
const ROUNDS = Math.max(3, Number(arg('rounds', '5')));
const root = fileURLToPath(new URL('../..', import.meta.url));

const home = mkdtempSync(join(tmpdir(), 'dw-bench-runs-'));
let serve = null;
let browser = null;

/** `digit-workbench serve` as a child process, as the tests start it (tests/helpers/serve-process.ts). */
function startServe() {
  const child = spawn(process.execPath, [join(root, 'bin', 'digit-workbench.js'), '--home', home, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve({ child, url: new URL(m[0]) });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

/** One contract call over a fresh WebSocket: its time, the bytes that crossed the socket and the JSON's length. */
async function timedCall(url, method, args) {
  const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws?token=${url.searchParams.get('token')}`);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const before = ws._socket.bytesRead;
  const t0 = performance.now();
  const reply = await new Promise((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.id === 1) resolve({ text: String(data), m });
    });
    ws.send(JSON.stringify({ id: 1, method, args }));
  });
  const ms = performance.now() - t0;
  const wire = ws._socket.bytesRead - before;
  ws.terminate();
  if (!reply.m.ok) throw new Error(`${method}: ${reply.m.error.message}`);
  return { ms, wire, json: Buffer.byteLength(reply.text), result: reply.m.result };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], slowest: s[s.length - 1] };
};
const fmt = (xs, unit = 'ms') => {
  const { median, slowest } = stats(xs);
  return unit === 'ms' ? `median ${median.toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms` : `median ${median}, slowest ${slowest}`;
};

/**
 * In the page (its CSP allows no eval, so each step is spelled out here): do one step, wait until the page shows its
 * result, and return the time to the frame that shows it.
 */
function timeInPage(page, step, arg) {
  return page.evaluate(
    async ({ step, arg }) => {
      const rows = () => [...document.querySelectorAll('[data-testid=runs-table] tbody tr[data-run]')];
      const toolbar = () => document.querySelector('.toolbar')?.textContent ?? '';
      const filter = (text) => {
        const el = document.querySelector('input[type=search]');
        el.value = text;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      };
      const steps = {
        sort: [() => [...document.querySelectorAll('th button.sort')].find((b) => b.textContent.startsWith('Best val acc')).click(), () => Number(rows()[0]?.dataset.run) !== arg],
        filter: [() => filter(arg.text), () => (arg.count === null ? /\d+ of /.test(toolbar()) : toolbar().includes(`${arg.count} of `))],
        clear: [() => filter(''), () => !/\d+ of /.test(toolbar())],
        compare: [() => (location.hash = `#/compare/${arg.join(',')}`), () => {
          const charts = [...document.querySelectorAll('[data-testid=compare-charts] .chart')];
          return charts.length === 5 && charts.every((c) => Number(c.dataset.points) > 0);
        }],
      };
      const [act, done] = steps[step];
      const t0 = performance.now();
      act();
      while (!done()) {
        if (performance.now() - t0 > 60_000) throw new Error(`timed out: ${step}`);
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    },
    { step, arg },
  );
}

try {
  const wb = new Workbench({ home });
  const train = (await wb.call('datasets:list')).find((d) => d.name === 'sample-train');
  wb.close();
  const db = new Database(join(home, DB_FILE));
  const t0 = performance.now();
  const seeded = seedRuns(db, { count: RUNS, datasetId: train.id, datasetSha256: train.sha256, resolve: resolveHyperparams, summary: paramSummary, seed: 1 });
  db.close();
  console.log(`runs-scale bench: ${seeded.runs} runs (${seeded.epochs} epochs, ${seeded.sweeps} sweeps) seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${ROUNDS} rounds; load average ${loadavg()[0].toFixed(1)}`);

  serve = await startServe();
  const list = [];
  for (let i = 0; i < ROUNDS; i++) list.push(await timedCall(serve.url, 'runs:list'));
  const first = list[0];
  console.log(`  runs:list (all ${first.result.length} runs)       ${fmt(list.map((l) => l.ms))}; ${(first.wire / 1e6).toFixed(2)} MB on the wire, ${(first.json / 1e6).toFixed(2)} MB as JSON (${Math.round(first.json / first.result.length)} B a run)`);

  const withEpochs = first.result.filter((r) => r.epochsDone > 0).map((r) => r.id);
  const fifty = withEpochs.slice(-50);
  const cmp = [];
  for (let i = 0; i < ROUNDS; i++) cmp.push(await timedCall(serve.url, 'analysis:compare', { runIds: fifty }));
  console.log(`  analysis:compare (50 runs, one call)  ${fmt(cmp.map((c) => c.ms))}; ${(cmp[0].wire / 1e3).toFixed(0)} kB on the wire`);

  browser = await launchChromium();
  const paint = [], sort = [], filterText = [], filterParam = [], compare = [];
  let paramRows = null;
  for (let i = 0; i < ROUNDS; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // The moment the first run row is in the DOM, on the page's clock (0 = navigation start).
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('[data-testid=runs-table] tbody tr[data-run]')) {
          window.__rowsAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${serve.url.href}#/runs`);
    await page.waitForFunction(() => window.__rowsAt !== undefined, undefined, { timeout: 60_000 });
    paint.push(await page.evaluate(() => window.__rowsAt));

    const top = await page.evaluate(() => Number(document.querySelector('[data-testid=runs-table] tbody tr[data-run]')?.dataset.run));
    sort.push(await timeInPage(page, 'sort', top));
    const tagged = first.result.filter((r) => r.tags.includes('lr-test')).length;
    filterText.push(await timeInPage(page, 'filter', { text: 'lr-test', count: tagged }));
    await timeInPage(page, 'clear');
    // A hyperparameter filter: the runs with batch size 256 (only sweep trials have it).
    filterParam.push(await timeInPage(page, 'filter', { text: 'batchSize=256', count: null }));
    paramRows = await page.evaluate(() => /(\d+) of /.exec(document.querySelector('.toolbar').textContent)[1]);
    await timeInPage(page, 'clear');
    compare.push(await timeInPage(page, 'compare', fifty));
    await context.close();
  }
  console.log(`  first paint of the runs table         ${fmt(paint)}   (target ≤ 500 ms)`);
  console.log(`  sort by best val acc                  ${fmt(sort)}   (target ≤ 100 ms)`);
  console.log(`  filter by text ("lr-test")            ${fmt(filterText)}   (target ≤ 100 ms)`);
  console.log(`  filter by hyperparameter (batchSize=256, ${paramRows} rows) ${fmt(filterParam)}   (target ≤ 100 ms)`);
  console.log(`  open Compare with 50 runs' curves     ${fmt(compare)}   (target ≤ 1 s)`);
  console.log(`  load average at the end ${loadavg()[0].toFixed(1)} (figures scale with it on a shared machine)`);
} finally {
  await browser?.close();
  if (serve) {
    const exited = new Promise((r) => serve.child.once('exit', r));
    serve.child.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
}
