// Import benchmark (`npm run bench:import`): Kaggle-size train.csv files of 42,000 rows — sparse (shifted real
// digits, ~80% zeros) and dense (the same digits over textured, noisy backgrounds: no zero pixel, 3-digit values) —
// each through the parser alone, the whole `digit-workbench import` CLI, and pandas.read_csv. Goal: the CLI ≥ 3×
// faster than pandas on both. All run interleaved, round after round, so that load from other processes hits them
// alike; median and slowest round of each (best too).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = (path) => import(new URL(`../../build/node/${path}`, import.meta.url).href);
const { parseKaggleCsv } = await built('core/datasets/csv-parser.js');
const { shiftedDigits, writeKaggleCsv } = await built('core/datasets/kaggle-csv.js');
const { denseDigits, loadMnistDigits } = await built('core/datasets/mnist-digits.js');

const ROWS = 42_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'dw-bench-import-'));

function cli(home, ...args) {
  const out = spawnSync(process.execPath, [join(root, 'bin/digit-workbench.js'), '--home', home, ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`digit-workbench ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
  return out.stdout;
}

// pandas' own clock around read_csv alone: Python's start-up and `import pandas` are left out in its favour.
const PANDAS = 'import pandas,sys,time; t=time.time(); pandas.read_csv(sys.argv[1]); print(time.time()-t)';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const src = loadMnistDigits();
  const sets = { sparse: shiftedDigits(src, ROWS, 20_24), dense: denseDigits(src, ROWS, 20_25) };
  const files = {};
  const mb = {};
  for (const [kind, digits] of Object.entries(sets)) {
    files[kind] = join(dir, `${kind}.csv`);
    await writeKaggleCsv(files[kind], { pixels: digits.pixels, labels: digits.labels });
    mb[kind] = statSync(files[kind]).size / 1e6;
  }
  const tiny = join(dir, 'tiny.csv');
  await writeKaggleCsv(tiny, { pixels: sets.sparse.pixels.subarray(0, 10 * 784), labels: sets.sparse.labels.subarray(0, 10) });
  console.log(`train.csv: ${ROWS} rows, sparse ${mb.sparse.toFixed(1)} MB, dense ${mb.dense.toFixed(1)} MB; ${ROUNDS} interleaved rounds`);

  const runs = {};
  for (const kind of Object.keys(sets)) {
    const file = files[kind];
    runs[`${kind} (a) parseKaggleCsv (in process)`] = async () => {
      const start = performance.now();
      const parsed = await parseKaggleCsv(file);
      if (parsed.rows !== ROWS) throw new Error(`parsed ${parsed.rows} rows`);
      return (performance.now() - start) / 1000;
    };
    runs[`${kind} (b) digit-workbench import (CLI)`] = existsSync(join(root, 'bin/digit-workbench.js'))
      ? (round) => {
          // A fresh home each time (an identical file would be recognised as already imported), warmed with a
          // tiny import so the timing leaves out creating the data folder and installing the sample.
          const home = join(dir, `home-${kind}-${round}`);
          cli(home, 'import', tiny, '--json');
          const start = performance.now();
          const result = JSON.parse(cli(home, 'import', file, '--json'));
          const seconds = (performance.now() - start) / 1000;
          if (result.rows !== ROWS) throw new Error(`imported ${result.rows} rows`);
          rmSync(home, { recursive: true, force: true });
          return seconds;
        }
      : null;
    runs[`${kind} (c) pandas.read_csv`] = () => {
      const out = spawnSync('/usr/bin/python3', ['-c', PANDAS, file], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error((out.stderr || out.error?.message || '').trim().split('\n').at(-1));
      return Number(out.stdout.trim());
    };
  }
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const skipped = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [what, run] of Object.entries(runs)) {
      if (!run || skipped[what]) continue;
      try {
        times[what].push(await run(round));
      } catch (err) {
        if (!what.includes('pandas')) throw err;
        skipped[what] = `${err.message}; apt-get install -y python3-pandas`;
      }
    }
  }

  const stat = {};
  for (const [what, list] of Object.entries(times)) {
    if (list.length === 0) {
      console.log(`${what.padEnd(42)} skipped${skipped[what] ? ` (${skipped[what]})` : ''}`);
      continue;
    }
    stat[what] = { median: median(list), slowest: Math.max(...list), best: Math.min(...list) };
    const size = mb[what.split(' ')[0]];
    const all = list.map((s) => s.toFixed(3)).join(' ');
    console.log(`${what.padEnd(42)} median ${stat[what].median.toFixed(3)} s ${(size / stat[what].median).toFixed(0).padStart(5)} MB/s, slowest ${stat[what].slowest.toFixed(3)} s   (all: ${all})`);
  }
  for (const kind of Object.keys(sets)) {
    const [parser, command, pandas] = ['(a)', '(b)', '(c)'].map((k) => stat[Object.keys(runs).find((w) => w.startsWith(`${kind} ${k}`))]);
    const ratio = (p, o, key) => (p[key] / o[key]).toFixed(2);
    if (pandas && parser) console.log(`${kind}: pandas / parser:     ${ratio(pandas, parser, 'median')}× median, ${ratio(pandas, parser, 'slowest')}× slowest rounds`);
    if (pandas && command) console.log(`${kind}: pandas / CLI import: ${ratio(pandas, command, 'median')}× median, ${ratio(pandas, command, 'slowest')}× slowest rounds (goal ≥ 3×)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
