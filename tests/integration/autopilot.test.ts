// Autopilot end to end: the budget holds when members train slower than the plan measured (an in-process trainer
// with set epoch times), and a job whose process was killed mid-training resumes with `autopilot resume ID`
// (the real CLI and trainer on a few hundred digits) and ends with its submission and the --json shape.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { loadMnistDigits, PIXELS } from '../../src/core/datasets/mnist-digits.js';
import { OVERRUN_TOLERANCE } from '../../src/shared/autopilot.js';
import { throughputFromRuns } from '../../src/core/autopilot/throughput.js';
import { PRESET_NAMES } from '../../src/shared/hyperparams.js';
import { tempDir } from '../helpers/temp-home.js';
import { writeSmallCsv } from '../helpers/small-dataset.js';
import { slowTrainerSpawner } from '../helpers/slow-trainer.js';
import { CLI_BIN, runCli } from '../helpers/cli-process.js';
import { EpochGate } from '../helpers/epoch-gate.js';

const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

async function writeTestCsv(file: string, rows: number): Promise<string> {
  const digits = loadMnistDigits();
  await writeKaggleCsv(file, { pixels: digits.pixels.slice(digits.count * PIXELS - rows * PIXELS), labels: null });
  return file;
}

describe('autopilot measures from earlier runs', () => {
  // A stored run's model spells its layers' keys in another order than the preset: it is still that preset's run.
  it('takes the figures of a run of each preset as it comes, without a calibration', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const wb = new Workbench({ home: dir.path, sample: false, spawnTrainer: slowTrainerSpawner({ fastEpochMs: 50, epochMs: 50, fastRuns: 0, accuracy: () => 0.9 }) });
    try {
      const train = (await wb.importDataset({ path: await writeSmallCsv(join(dir.path, 'train.csv'), 300, 3) })).dataset;
      for (const preset of PRESET_NAMES) {
        const [run] = await wb.call('runs:start', { datasetId: train.id, preset, hyperparams: { epochs: 2 } });
        expect(await wb.runs.waitFor(run.id)).toBe('completed');
        const t = throughputFromRuns(wb.db, { datasetId: train.id, preset, backend: null, target: 'local', trainRows: 270, valRows: 30 });
        expect(t, preset).not.toBeNull();
      }
    } finally {
      wb.close();
    }
  });
});

describe('autopilot keeps its budget', () => {
  it('stops members that run slower than measured, re-plans the rest, and still ends within budget + 3%', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // The calibration run is quick (0.5 s an epoch); the members take 4 s an epoch: 8× what the plan expects.
    const spawner = slowTrainerSpawner({ fastEpochMs: 500, epochMs: 4000, fastRuns: 1, accuracy: (seed) => 0.8 + seed / 100 });
    const wb = new Workbench({ home: dir.path, sample: false, spawnTrainer: spawner });
    try {
      const train = (await wb.importDataset({ path: await writeSmallCsv(join(dir.path, 'train.csv'), 300, 3) })).dataset;
      const test = (await wb.importDataset({ path: await writeTestCsv(join(dir.path, 'test.csv'), 60), kind: 'test' })).dataset;
      const started = Date.now();
      const job = await wb.call('autopilot:start', { datasetId: train.id, testDatasetId: test.id, budgetSeconds: 60 });
      const done = await wb.autopilot.waitFor(job.id);
      const wall = (Date.now() - started) / 1000;
      expect(done.status, done.error ?? '').toBe('completed');
      expect(wall).toBeLessThanOrEqual(60 * (1 + OVERRUN_TOLERANCE));
      expect(done.elapsedSeconds).toBeLessThanOrEqual(60 * (1 + OVERRUN_TOLERANCE));
      // The plan expected epochs of ~0.5 s: no member got through its planned epochs, and the job said why.
      expect(done.plan!.members.length).toBeGreaterThan(0);
      expect(done.members.some((m) => m.epochsDone < m.epochs)).toBe(true);
      expect(done.notes.join('\n')).toMatch(/stopped (during|after) epoch/);
      // The members are ordinary runs, tagged as a group, and the ensemble is some of them.
      const runs = await wb.call('runs:list', {});
      for (const m of done.members) expect(runs.find((r) => r.id === m.runId)?.tags).toEqual(expect.arrayContaining(['autopilot', `autopilot-${job.id}`]));
      expect(done.ensemble.length).toBeGreaterThan(0);
      for (const id of done.ensemble) expect(done.members.map((m) => m.runId)).toContain(id);
      // The calibration run stays, tagged as such; the submission is in the ledger and on disk.
      expect(runs.filter((r) => !done.members.some((m) => m.runId === r.id)).map((r) => r.tags)).toEqual([['autopilot', `autopilot-${job.id}`, 'calibration']]);
      const submission = (await wb.call('submissions:list', undefined)).find((s) => s.id === done.submissionId)!;
      expect(submission.runs).toEqual(done.ensemble);
      expect(readFileSync(submission.path, 'utf8').trim().split('\n')).toHaveLength(61);
    } finally {
      wb.close();
    }
  }, 120_000);
});

describe('autopilot resume', () => {
  it('goes on after its process was killed mid-training and prints the --json shape', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const gate = new EpochGate();
    dirs.push(gate);
    const train = await writeSmallCsv(join(dir.path, 'train.csv'), 300, 5);
    const test = await writeTestCsv(join(dir.path, 'test.csv'), 40);
    const out = join(dir.path, 'submission.csv');
    gate.close();
    const env = { ...process.env, ...gate.env };
    const child = spawn(process.execPath, [CLI_BIN, '--home', dir.path, 'autopilot', '--dataset', train, '--test', test, '--budget', '1m', '--out', out], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The calibration run passes the gate; the first member is held after its first epoch, and the process killed.
    const db = () => new Database(join(dir.path, 'workbench.db'), { readonly: true, fileMustExist: true });
    const isMember = (runId: number) => {
      if (!existsSync(join(dir.path, 'workbench.db'))) return false;
      const d = db();
      try {
        return d.prepare('SELECT autopilot_id FROM runs WHERE id = ?').pluck().get(runId) != null;
      } finally {
        d.close();
      }
    };
    const stopReleasing = gate.releaseWhere((h) => !isMember(h.runId));
    const held = await gate.waitHeld('the first member', (h) => isMember(h.runId), 90_000);
    stopReleasing();
    // Held after the trainer sent its epoch: killed once the CLI has committed it (a resume goes on from there).
    for (let committed = false; !committed; await new Promise((resolve) => setTimeout(resolve, 20))) {
      const d = db();
      committed = d.prepare('SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?').get(held.runId, held.epoch) !== undefined;
      d.close();
    }
    child.kill('SIGKILL');
    await exited;
    gate.open();
    const before = db();
    const spentBefore = before.prepare('SELECT elapsed_seconds FROM autopilot_jobs WHERE id = 1').pluck().get() as number;
    before.close();

    const resumed = await runCli(dir.path, ['autopilot', 'resume', '1', '--json'], { timeout: 150_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const json = JSON.parse(resumed.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['id', 'budgetSeconds', 'elapsedSeconds', 'members', 'ensemble', 'valAcc', 'submission']);
    expect(json.id).toBe(1);
    expect(json.budgetSeconds).toBe(60);
    // The budget carries over the crash: the resume counts on from what the killed process had spent. (Keeping the
    // budget is the slow-trainer test's; here real processes start on a shared machine, whose load is no fixed figure.)
    expect(spentBefore).toBeGreaterThan(0);
    expect(json.elapsedSeconds as number).toBeGreaterThan(spentBefore);
    expect(json.submission).toBe(out);
    const members = json.members as { runId: number; preset: string; epochs: number; bestValAcc: number | null }[];
    for (const m of members) expect(Object.keys(m)).toEqual(['runId', 'preset', 'epochs', 'bestValAcc']);
    // The member the kill interrupted went on from its epoch instead of starting again.
    const first = members.find((m) => m.runId === held.runId)!;
    expect(first.epochs).toBeGreaterThanOrEqual(held.epoch);
    const d = db();
    try {
      const log = d.prepare('SELECT message FROM run_logs WHERE run_id = ?').pluck().all(held.runId) as string[];
      expect(log.join('\n')).toMatch(new RegExp(`resumes from epoch ${held.epoch}`));
      expect(d.prepare('SELECT status FROM autopilot_jobs WHERE id = 1').pluck().get()).toBe('completed');
    } finally {
      d.close();
    }
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('ImageId,Label');
    expect((json.ensemble as number[]).length).toBeGreaterThan(0);
  }, 240_000);
});
