// The CLI as a user runs it: the real bin, a temp --home, JSON on stdout, messages on stderr, exit codes 0/1/2.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, rowFields } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';
import { Workbench } from '../../src/core/workbench.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { runCli } from '../helpers/cli-process.js';

const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
let dir: ReturnType<typeof tempDir>;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliEnv({}, ...args);
}

const cliEnv = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(dir.path, args, { env });

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('digit-workbench', () => {
  it('lists the bundled sample in a new home', async () => {
    const r = await cli('datasets', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((d: { name: string; kind: string; rows: number }) => [d.name, d.kind, d.rows])).toEqual([
      ['sample-train', 'train', 8000],
      ['sample-test', 'test', 2000],
    ]);
    const table = await cli('datasets');
    expect(table.stdout).toMatch(/sample-train\s+train\s+8000/);
  });

  it('imports with --json → {id, name, kind, rows, sha256}; a bad file exits 1 with FILE:LINE:COLUMN', async () => {
    const good = join(dir.path, 'digits.csv');
    writeFileSync(good, csvText('train', [rowFields('train', 1).join(','), rowFields('train', 2).join(',')]));
    const r = await cli('import', good, '--json', '--name', 'two');
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['id', 'name', 'kind', 'rows', 'sha256']);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'two', kind: 'train', rows: 2 });
    const bad = join(dir.path, 'bad.csv');
    writeFileSync(bad, csvText('train', [rowFields('train', 1).join(','), rowFields('train', 2).join(',').replace(/,0,/, ',256,')]));
    const b = await cli('import', bad);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`${bad}:3:\\d+: pixel\\d+ must be an integer 0–255, got "256"`));
    expect(b.stdout).toBe('');
    const t = await cli('import', good, '--kind', 'test');
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/:1:1: this file has a label column \(a train\.csv\), but it was to be imported as a test set/);
  });

  it('renames and deletes by name or id', async () => {
    expect((await cli('datasets', 'rename', 'two', 'pair')).code).toBe(0);
    expect((await cli('datasets', 'delete', 'pair')).code).toBe(0);
    const missing = await cli('datasets', 'delete', 'pair');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no dataset named "pair"/);
  });

  it('exits 2 on usage errors and prints help', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('import')).code).toBe(2);
    expect((await cli('train', '--dataset', 'sample-train', '--preset', 'seed-lenet5', '--epochs', 'many')).stderr).toMatch(/--epochs must be a whole number/);
    const help = await cli('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--validation tail:R\|stratified:R/);
    expect(help.stdout).toMatch(/--bn-stats keras\|debiased\|recomputed/);
    const bnStats = await cli('train', '--dataset', 'sample-train', '--preset', 'cnn-strong', '--bn-stats', 'precise');
    expect(bnStats.code).toBe(2);
    expect(bnStats.stderr).toMatch(/--bn-stats must be keras, debiased, recomputed \(got "precise"\)/);
  });

  it('trains and waits: the final run as JSON, progress on stderr; runs --json lists it; bad input exits 1', async () => {
    const wb = new Workbench({ home: dir.path });
    await importSmallTrainSet(wb, dir.path, 300);
    wb.close();
    const r = await cli('train', '--dataset', 'small-300-7', '--preset', 'seed-lenet5', '--epochs', '2', '--validation', 'stratified:0.2', '--seed', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout);
    expect(Object.keys(run)).toEqual(['id', 'status', 'backend', 'preset', 'epochs', 'bestEpoch', 'bestValAcc']);
    expect(run).toMatchObject({ status: 'completed', preset: 'seed-lenet5' });
    expect(['native', 'tensorflow', 'wasm', 'cpu']).toContain(run.backend);
    expect(Object.keys(run.epochs[0])).toEqual(['epoch', 'loss', 'acc', 'valLoss', 'valAcc', 'lr', 'seconds', 'imagesPerSecond']);
    expect(run.epochs).toHaveLength(2);
    expect(r.stderr).toMatch(/epoch 2: loss/);
    const list = JSON.parse((await cli('runs', '--json')).stdout);
    expect(list.map((x: { id: number }) => x.id)).toEqual([run.id]);
    // The list adds the hyperparameters changed from the preset; --limit/--offset page it.
    expect(list[0].params).toEqual({ epochs: '2', 'validation.mode': 'stratified', 'validation.ratio': '0.2' });
    expect(JSON.parse((await cli('runs', '--limit', '1', '--offset', '0', '--json')).stdout).map((x: { id: number }) => x.id)).toEqual([run.id]);
    expect(JSON.parse((await cli('runs', '--offset', '1', '--json')).stdout)).toEqual([]);
    expect((await cli('runs', '--offset', '1')).stdout).toMatch(/no runs after the first 1/);
    expect((await cli('runs', '--limit', '0')).stderr).toMatch(/--limit must be at least 1/);
    const bad = await cli('train', '--dataset', 'small-300-7', '--preset', 'seed-lenet5', '--learning-rate', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/learningRate: must be a number above 0/);
    const unknown = await cli('stop', '999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no run with id 999/);
    const notStopped = await cli('resume', String(run.id));
    expect(notStopped.code).toBe(1);
    expect(notStopped.stderr).toMatch(/is completed: only a stopped, interrupted or failed run can be resumed/);
  });

  it('runs show --command prints a command that re-creates the run: same hyperparameters, same metrics', async () => {
    const [first] = JSON.parse((await cli('runs', '--json')).stdout);
    const shown = await cli('runs', 'show', String(first.id), '--command');
    expect(shown.code, shown.stderr).toBe(0);
    const command = shown.stdout.trim();
    // The backend the run trained on, whichever this machine picked (native where its kernels load, else another).
    expect(command).toMatch(new RegExp(`^digit-workbench train --dataset small-300-7 --preset seed-lenet5 --epochs 2 --validation stratified:0\\.2 --seed 3 --backend ${first.backend} --workers \\d+$`));
    // Run it, with debug logging on: stderr gets the logs, stdout stays one JSON document.
    const again = await cliEnv({ DIGIT_WORKBENCH_LOG: 'debug' }, ...command.split(' ').slice(1), '--json');
    expect(again.code, again.stderr).toBe(0);
    const rerun = JSON.parse(again.stdout);
    expect(again.stderr).toMatch(/debug/);
    expect(rerun.epochs.map((e: { valAcc: number }) => e.valAcc)).toEqual(first.epochs.map((e: { valAcc: number }) => e.valAcc));
    const wb = new Workbench({ home: dir.path });
    try {
      expect((await wb.call('runs:get', { id: rerun.id })).hyperparams).toEqual((await wb.call('runs:get', { id: first.id })).hyperparams);
    } finally {
      wb.close();
    }
  });

  it('logs prints the data folder’s log and one run’s log on stdout', async () => {
    const all = await cli('logs');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^\S+Z info  \[cli \d+\] cli: digit-workbench train --dataset small-300-7/m);
    expect(all.stdout).toMatch(/runs: run 1: run completed/);
    const one = await cli('logs', '--run', '1');
    expect(one.stdout).toMatch(/info  trainer \d+ starts\n/);
    expect(one.stdout.trim().split('\n').at(-1)).toMatch(/info  run completed$/);
    expect((await cli('logs', '--run', '99')).stderr).toMatch(/no run with id 99/);
  });

  it('logs --follow prints lines as other processes write them, until Ctrl-C', async () => {
    const follower = spawn(process.execPath, [bin, '--home', dir.path, 'logs', '--follow', '--lines', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout.on('data', (d) => (out += String(d)));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/cli: digit-workbench logs --follow --lines 1\n/);
      expect(out.trim().split('\n')).toHaveLength(1);
      await cli('datasets', 'rename', 'small-300-7', 'small – renamed'); // a multi-byte character on the way
      await cli('datasets');
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/cli: digit-workbench datasets rename small-300-7 small – renamed\n.*cli: digit-workbench datasets\n/);
    } finally {
      follower.kill('SIGINT');
    }
    expect(await new Promise((resolve) => follower.once('exit', resolve))).toBe(0);
  });

  it('label-issues --json ranks rows for the dataset; datasets version applies the fixes as a new dataset', async () => {
    const wb = new Workbench({ home: dir.path });
    await importSmallTrainSet(wb, dir.path, 250, 9);
    wb.close();
    const r = await cli('label-issues', '--dataset', 'small-250-9', '--folds', '2', '--epochs', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { issues } = JSON.parse(r.stdout) as { issues: { row: number; label: number; suggested: number; score: number }[] };
    expect(issues.length).toBeGreaterThan(0);
    expect(Object.keys(issues[0])).toEqual(['row', 'label', 'suggested', 'score']);
    expect(issues.every((i) => i.row >= 1 && i.row <= 250 && i.suggested !== i.label)).toBe(true);
    expect(r.stderr).toMatch(/fold 2\/2 \(run \d+\) completed/);
    const [first, second] = issues;
    const args = ['datasets', 'version', 'small-250-9', '--relabel', `${first.row}=${first.suggested}`, '--json'];
    const v = await cli(...args, ...(second ? ['--exclude', String(second.row)] : []));
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ kind: 'train', rows: second ? 249 : 250, existing: false });
    const usage = await cli('datasets', 'version', 'small-250-9', '--relabel', '3');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--relabel must be ROW=LABEL/);
    const range = await cli('datasets', 'version', 'small-250-9', '--exclude', '251');
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/excludes: row must be 1–250, got 251/);
  });

  it('lr-find --json gives the curve and the suggestion; missing --preset is a usage error', async () => {
    const wb = new Workbench({ home: dir.path });
    await importSmallTrainSet(wb, dir.path, 200, 5);
    wb.close();
    const r = await cli('lr-find', '--dataset', 'small-200-5', '--preset', 'seed-lenet5', '--steps', '20', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['suggested', 'steepest', 'minOver10', 'backend', 'points']);
    expect(out.points[0].lr).toBeCloseTo(1e-7, 12);
    expect(out.points.length).toBeLessThanOrEqual(20);
    const usage = await cli('lr-find', '--dataset', 'small-200-5');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--preset is required/);
  });
});
