// The runs table with many runs: fills a temp data folder with 5,000 realistic runs (tests/bench/seed-runs.js, no
// training), starts `digit-workbench serve` on it and drives headless Debian Chromium to time what a user waits for:
// the runs table's first paint (navigation → rows in the DOM), a sort, a text filter and a hyperparameter filter,
// and Compare with 50 runs' curves; plus runs:list over the WebSocket (time, and bytes on the wire and as JSON).
// Each figure is the median and the slowest of the rounds, next to the issue's target. With --peer DIR (another
// checkout, built), the same steps run on its code too, in interleaved rounds on its own identical data folder:
//   npm run bench:runs [-- --runs 5000 --rounds 5 --peer ../old-checkout]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { launchChromium } from './browser.js';
import { seedRuns } from './seed-runs.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '5000'));
const ROUNDS = Math.max(3, Number(arg('rounds', '5')));
const root = fileURLToPath(new URL('../..', import.meta.url));
const peer = arg('peer', null);

/** `digit-workbench serve` of a checkout as a child process, as the tests start it (tests/helpers/serve-process.ts). */
function startServe(side) {
  const child = spawn(process.execPath, [join(side.root, 'bin', 'digit-workbench.js'), '--home', side.home, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A checkout's data folder filled with the same runs (its own migrations, so an older checkout can open it). */
async function prepare(name, checkout) {
  const mod = (path) => import(join(checkout, 'build', 'node', path));
  const [{ Workbench }, { resolveHyperparams }, { DB_FILE }] = await Promise.all([mod('core/workbench.js'), mod('core/training/presets.js'), mod('core/db/open.js')]);
  const summary = await mod('core/training/runs-list.js').then((m) => m.paramSummary, () => undefined);
  const home = mkdtempSync(join(tmpdir(), 'dw-bench-runs-'));
  const wb = new Workbench({ home });
  const train = (await wb.call('datasets:list')).find((d) => d.name === 'sample-train');
  wb.close();
  const db = new Database(join(home, DB_FILE));
  const t0 = performance.now();
  const seeded = seedRuns(db, { count: RUNS, datasetId: train.id, datasetSha256: train.sha256, resolve: resolveHyperparams, summary, seed: 1 });
  db.close();
  console.log(`${name}: ${seeded.runs} runs (${seeded.epochs} epochs, ${seeded.sweeps} sweeps) seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { name, root: checkout, home, serve: null, figures: { list: [], compareCall: [], paint: [], all: [], sort: [], filterText: [], filterParam: [], compare: [] } };
}

/** One round on one side: runs:list and analysis:compare over the socket, then the page in a fresh context. */
async function round(side, browser) {
  const f = side.figures;
  const listed = await timedCall(side.serve.url, 'runs:list');
  f.list.push(listed.ms);
  side.listed = listed;
  const fifty = listed.result.filter((r) => r.epochsDone > 0).map((r) => r.id).slice(-50);
  const cmp = await timedCall(side.serve.url, 'analysis:compare', { runIds: fifty });
  f.compareCall.push(cmp.ms);
  side.compareWire = cmp.wire;

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  // The moment the first run row is in the DOM, on the page's clock (0 = navigation start).
  await page.addInitScript(() => {
    // Where the first paint's time goes: the socket's opening and its first replies, on the same clock.
    const Native = window.WebSocket;
    window.__ws = { open: null, messages: [] };
    window.WebSocket = class extends Native {
      constructor(...a) {
        super(...a);
        this.addEventListener('open', () => (window.__ws.open ??= performance.now()));
        this.addEventListener('message', (e) => {
          if (window.__ws.messages.length < 6) window.__ws.messages.push([Math.round(performance.now()), typeof e.data === 'string' ? e.data.length : -1]);
        });
      }
    };
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid=runs-table] tbody tr[data-run]')) {
        window.__rowsAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${side.serve.url.href}#/runs`);
  await page.waitForFunction(() => window.__rowsAt !== undefined, undefined, { timeout: 120_000 });
  f.paint.push(await page.evaluate(() => window.__rowsAt));
  if (process.argv.includes('--trace')) {
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const js = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.js'));
      return { html: Math.round(nav.responseEnd), js: Math.round(js?.responseEnd ?? -1), dcl: Math.round(nav.domContentLoadedEventEnd), wsOpen: Math.round(window.__ws.open), messages: window.__ws.messages, rows: Math.round(window.__rowsAt) };
    });
    console.log(`    ${side.name} trace (ms from navigation): ${JSON.stringify(t)}`);
  }
  // The table may paint the newest runs first: sorting and filtering are timed once every run is in it.
  // (A table that is not windowed has no count: all its rows are there.)
  await page.waitForFunction(
    (n) => {
      const table = document.querySelector('[data-testid=runs-table]');
      return table?.dataset.count === String(n) || table?.querySelectorAll('tbody tr[data-run]').length === n;
    },
    listed.result.length,
    { timeout: 120_000 },
  );
  f.all.push(await page.evaluate(() => performance.now()));
  const top = await page.evaluate(() => Number(document.querySelector('[data-testid=runs-table] tbody tr[data-run]')?.dataset.run));
  f.sort.push(await timeInPage(page, 'sort', top));
  const tagged = listed.result.filter((r) => r.tags.includes('lr-test')).length;
  f.filterText.push(await timeInPage(page, 'filter', { text: 'lr-test', count: tagged }));
  await timeInPage(page, 'clear');
  // A hyperparameter filter: the runs with batch size 256 (only sweep trials have it). Code without such a
  // filter matches no run, so its figure is not comparable and is left out.
  if (listed.result[0]?.params) {
    f.filterParam.push(await timeInPage(page, 'filter', { text: 'batchSize=256', count: null }));
    side.paramRows = await page.evaluate(() => /(\d+) of /.exec(document.querySelector('.toolbar').textContent)[1]);
    await timeInPage(page, 'clear');
  }
  f.compare.push(await timeInPage(page, 'compare', fifty));
  await context.close();
}

const sides = [await prepare('this code', root)];
if (peer) sides.push(await prepare(`peer ${peer}`, peer));
let browser = null;
try {
  for (const side of sides) side.serve = await startServe(side);
  browser = await launchChromium();
  console.log(`${ROUNDS} rounds${peer ? ', interleaved' : ''}; load average ${loadavg()[0].toFixed(1)} (figures scale with it on a shared machine)`);
  for (let i = 0; i < ROUNDS; i++) for (const side of sides) await round(side, browser);
  const line = (label, key, target) => {
    const cells = sides.map((side) => (side.figures[key].length ? `${side.name}: ${fmt(side.figures[key])}` : `${side.name}: —`));
    console.log(`  ${label.padEnd(40)} ${cells.join('  |  ')}${target ? `   (target ${target})` : ''}`);
  };
  for (const side of sides) {
    const l = side.listed;
    console.log(`  runs:list size, ${side.name}: ${(l.wire / 1e6).toFixed(2)} MB on the wire, ${(l.json / 1e6).toFixed(2)} MB as JSON (${Math.round(l.json / l.result.length)} B a run); analysis:compare ${(side.compareWire / 1e3).toFixed(0)} kB`);
  }
  line(`runs:list (all ${RUNS} runs)`, 'list');
  line('analysis:compare (50 runs, one call)', 'compareCall');
  line('first paint of the runs table', 'paint', '≤ 500 ms');
  line('every run in the table (seen by a poll)', 'all');
  line('sort by best val acc', 'sort', '≤ 100 ms');
  line('filter by text ("lr-test")', 'filterText', '≤ 100 ms');
  line(`filter batchSize=256 (${sides[0].paramRows} rows)`, 'filterParam', '≤ 100 ms');
  line("open Compare with 50 runs' curves", 'compare', '≤ 1 s');
  console.log(`  load average at the end ${loadavg()[0].toFixed(1)}`);
} finally {
  await browser?.close();
  for (const side of sides) {
    if (side.serve) {
      const exited = new Promise((r) => side.serve.child.once('exit', r));
      side.serve.child.kill('SIGTERM');
      await exited;
    }
    rmSync(side.home, { recursive: true, force: true });
  }
}
