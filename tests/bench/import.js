// Import benchmark (`npm run bench:import`): a Kaggle-size train.csv (42,000 shifted real digits) through the
// parser alone, the whole `digit-workbench import` CLI, and pandas.read_csv. Goal: the CLI ≥ 3× faster than pandas.
// The three run interleaved, round after round, so that load from other processes hits them alike; best of each.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = (path) => import(new URL(`../../build/node/${path}`, import.meta.url).href);
const { parseKaggleCsv } = await built('core/datasets/csv-parser.js');
const { shiftedDigits, writeKaggleCsv } = await built('core/datasets/kaggle-csv.js');
const { loadMnistDigits } = await built('core/datasets/mnist-digits.js');

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

try {
  const file = join(dir, 'train.csv');
  const digits = shiftedDigits(loadMnistDigits(), ROWS, 20_24);
  await writeKaggleCsv(file, { pixels: digits.pixels, labels: digits.labels });
  const tiny = join(dir, 'tiny.csv');
  await writeKaggleCsv(tiny, { pixels: digits.pixels.subarray(0, 10 * 784), labels: digits.labels.subarray(0, 10) });
  const mb = statSync(file).size / 1e6;
  console.log(`train.csv: ${ROWS} rows, ${mb.toFixed(1)} MB; ${ROUNDS} interleaved rounds, best of each`);

  const runs = {
    '(a) parseKaggleCsv (in process)': async () => {
      const start = performance.now();
      const parsed = await parseKaggleCsv(file);
      if (parsed.rows !== ROWS) throw new Error(`parsed ${parsed.rows} rows`);
      return (performance.now() - start) / 1000;
    },
    '(b) digit-workbench import (CLI)': existsSync(join(root, 'bin/digit-workbench.js'))
      ? (round) => {
          // A fresh home each time (an identical file would be recognised as already imported), warmed with a
          // tiny import so the timing leaves out creating the data folder and installing the sample.
          const home = join(dir, `home-${round}`);
          cli(home, 'import', tiny, '--json');
          const start = performance.now();
          const result = JSON.parse(cli(home, 'import', file, '--json'));
          const seconds = (performance.now() - start) / 1000;
          if (result.rows !== ROWS) throw new Error(`imported ${result.rows} rows`);
          rmSync(home, { recursive: true, force: true });
          return seconds;
        }
      : null,
    '(c) pandas.read_csv': () => {
      const out = spawnSync('/usr/bin/python3', ['-c', PANDAS, file], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error((out.stderr || out.error?.message || '').trim().split('\n').at(-1));
      return Number(out.stdout.trim());
    },
  };
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

  const best = {};
  for (const [what, list] of Object.entries(times)) {
    if (list.length === 0) {
      console.log(`${what.padEnd(34)} skipped${skipped[what] ? ` (${skipped[what]})` : ''}`);
      continue;
    }
    best[what] = Math.min(...list);
    const all = list.map((s) => s.toFixed(3)).join(' ');
    console.log(`${what.padEnd(34)} ${best[what].toFixed(3)} s ${(mb / best[what]).toFixed(0).padStart(5)} MB/s   (all: ${all})`);
  }
  const [parser, command, pandas] = Object.keys(runs).map((k) => best[k]);
  if (pandas && parser) console.log(`pandas / parser:     ${(pandas / parser).toFixed(2)}×`);
  if (pandas && command) console.log(`pandas / CLI import: ${(pandas / command).toFixed(2)}× (goal ≥ 3×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
