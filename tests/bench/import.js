// Import benchmark (`npm run bench:import`): a Kaggle-size train.csv (42,000 shifted real digits) through the
// parser alone, the whole `digit-workbench import` CLI, and pandas.read_csv. Goal: the CLI ≥ 3× faster than pandas.

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
const RUNS = 3;
const dir = mkdtempSync(join(tmpdir(), 'dw-bench-import-'));

/** Best wall-clock seconds of `RUNS` calls; `run` may return its own timing in seconds. */
async function best(run) {
  let min = Infinity;
  for (let k = 0; k < RUNS; k++) {
    const start = performance.now();
    const own = await run(k);
    min = Math.min(min, typeof own === 'number' ? own : (performance.now() - start) / 1000);
  }
  return min;
}

function cli(home, ...args) {
  const out = spawnSync(process.execPath, [join(root, 'bin/digit-workbench.js'), '--home', home, ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`digit-workbench ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
  return out.stdout;
}

try {
  const file = join(dir, 'train.csv');
  const digits = shiftedDigits(loadMnistDigits(), ROWS, 20_24);
  await writeKaggleCsv(file, { pixels: digits.pixels, labels: digits.labels });
  const tiny = join(dir, 'tiny.csv');
  await writeKaggleCsv(tiny, { pixels: digits.pixels.subarray(0, 10 * 784), labels: digits.labels.subarray(0, 10) });
  const mb = statSync(file).size / 1e6;
  console.log(`train.csv: ${ROWS} rows, ${mb.toFixed(1)} MB (best of ${RUNS} for each timing)`);
  const line = (what, s) => console.log(`${what.padEnd(34)} ${s.toFixed(3)} s  ${(mb / s).toFixed(0).padStart(5)} MB/s`);

  const parser = await best(async () => {
    const parsed = await parseKaggleCsv(file);
    if (parsed.rows !== ROWS) throw new Error(`parsed ${parsed.rows} rows`);
  });
  line('(a) parseKaggleCsv', parser);

  let command;
  if (existsSync(join(root, 'bin/digit-workbench.js'))) {
    command = await best((k) => {
      // A fresh home each time (an identical file would be recognised as already imported), warmed with a
      // tiny import so the timing leaves out creating the data folder.
      const home = join(dir, `home-${k}`);
      cli(home, 'import', tiny, '--json');
      const start = performance.now();
      const result = JSON.parse(cli(home, 'import', file, '--json'));
      const seconds = (performance.now() - start) / 1000;
      if (result.rows !== ROWS) throw new Error(`imported ${result.rows} rows`);
      return seconds;
    });
    line('(b) digit-workbench import (CLI)', command);
  } else {
    console.log('(b) digit-workbench import: skipped, bin/digit-workbench.js does not exist yet');
  }

  const script = 'import pandas,sys,time; t=time.time(); pandas.read_csv(sys.argv[1]); print(time.time()-t)';
  let pandas;
  try {
    pandas = await best(() => {
      const out = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(out.stderr || out.error?.message);
      return Number(out.stdout.trim());
    });
    line('(c) pandas.read_csv', pandas);
  } catch (err) {
    console.log(`(c) pandas: skipped (${String(err.message).trim().split('\n').at(-1)}); apt-get install -y python3-pandas`);
  }

  if (pandas) {
    console.log(`pandas / parser: ${(pandas / parser).toFixed(1)}×`);
    if (command) console.log(`pandas / CLI import: ${(pandas / command).toFixed(1)}× (goal ≥ 3×)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
