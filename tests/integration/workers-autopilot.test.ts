// Autopilot on the worker pool: `digit-workbench autopilot --queue URL` with a real redis-server and two
// `digit-workbench worker` processes. A pool with no worker is refused before a job is written (its budget would run
// out while members wait in the queue); with two workers the plan counts two slots, the calibration and the members
// train on the workers (at once, one each), and the submission is written by the owner like a local job's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { loadMnistDigits, PIXELS } from '../../src/core/datasets/mnist-digits.js';
import { openDatabase } from '../../src/core/db/open.js';
import { tempDir } from '../helpers/temp-home.js';
import { writeSmallCsv } from '../helpers/small-dataset.js';
import { PASSWORD, startRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../helpers/redis-server.js';
import { runCli } from '../helpers/cli-process.js';

let dir: ReturnType<typeof tempDir>;
let redis: TestRedis;
let trainCsv: string;
let testCsv: string;
const workers: WorkerProcess[] = [];
const TEST_ROWS = 40;

beforeAll(async () => {
  dir = tempDir();
  redis = await startRedis();
  trainCsv = await writeSmallCsv(join(dir.path, 'train.csv'), 300, 11);
  const digits = loadMnistDigits();
  testCsv = join(dir.path, 'test.csv');
  await writeKaggleCsv(testCsv, { pixels: digits.pixels.slice(digits.count * PIXELS - TEST_ROWS * PIXELS), labels: null });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.stop();
  dir?.remove();
});

describe('digit-workbench autopilot --queue', () => {
  it('a pool with no worker: refused before a job or a dataset is written, naming the URL without its password', async () => {
    const out = join(dir.path, 'none.csv');
    const r = await runCli(dir.path, ['autopilot', '--dataset', trainCsv, '--test', testCsv, '--budget', '1m', '--out', out, '--queue', redis.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no worker of this version');
    expect(r.stderr).toContain(`redis://:***@127.0.0.1:${redis.port}`);
    expect(r.stderr).toContain('digit-workbench worker --queue URL');
    expect(r.stderr).not.toContain(PASSWORD);
    expect(JSON.parse((await runCli(dir.path, ['autopilot', 'list', '--json'])).stdout)).toEqual([]);
    // (A new data folder has the bundled sample sets; neither CSV was imported.)
    const names = (JSON.parse((await runCli(dir.path, ['datasets', '--json'])).stdout) as { name: string }[]).map((d) => d.name);
    expect(names.every((name) => name.startsWith('sample-')), names.join(', ')).toBe(true);
  });

  it('plans with both workers, trains the calibration and the members on them, and writes the submission here', async () => {
    workers.push(await startWorkerProcess(redis.url, 'wa'), await startWorkerProcess(redis.url, 'wb'));
    const out = join(dir.path, 'submission.csv');
    const r = await runCli(dir.path, ['autopilot', '--dataset', trainCsv, '--test', testCsv, '--budget', '1m', '--out', out, '--queue', redis.url, '--json'], { timeout: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { id: number; members: { runId: number }[]; ensemble: number[]; submission: string };
    expect(json.submission).toBe(out);
    expect(json.ensemble.length).toBeGreaterThan(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('ImageId,Label');
    expect(lines).toHaveLength(TEST_ROWS + 1);
    expect(lines[TEST_ROWS]).toMatch(new RegExp(`^${TEST_ROWS},[0-9]$`));

    const db = openDatabase(dir.path, { migrate: false });
    try {
      const job = db.prepare('SELECT target, status, plan FROM autopilot_jobs WHERE id = ?').get(json.id) as { target: string; status: string; plan: string };
      expect(job).toMatchObject({ target: 'pool', status: 'completed' });
      const plan = JSON.parse(job.plan) as { slots: number; members: unknown[]; reasons: string[] };
      expect(plan.slots).toBe(2);
      expect(plan.reasons.join('\n')).toContain('the worker pool, 2 workers');
      // The job's runs: its members (autopilot_id) and its calibration (tagged autopilot-ID, not a member).
      const runs = db
        .prepare("SELECT id, target, tags, started_at AS startedAt, ended_at AS endedAt FROM runs WHERE autopilot_id = ? OR EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?) ORDER BY id")
        .all(json.id, `autopilot-${json.id}`) as {
        id: number;
        target: string;
        tags: string;
        startedAt: string;
        endedAt: string;
      }[];
      const workerOf = (runId: number) => db.prepare('SELECT DISTINCT worker FROM epochs WHERE run_id = ?').pluck().all(runId) as (string | null)[];
      // Every run of the job (the calibration too) trained on the pool, each on one worker.
      for (const run of runs) {
        expect(run.target).toBe('pool');
        const on = workerOf(run.id);
        expect(on, `run ${run.id}`).toHaveLength(1);
        expect(['wa', 'wb']).toContain(on[0]);
      }
      expect(runs.some((run) => (JSON.parse(run.tags) as string[]).includes('calibration'))).toBe(true);
      const members = runs.filter((run) => json.members.some((m) => m.runId === run.id));
      expect(members.length).toBe(json.members.length);
      // Two free slots are filled first (here each member of two gets several times the 3 epochs it needs): the
      // first wave's members train at the same time, one on each worker.
      expect(plan.members.length).toBeGreaterThanOrEqual(2);
      const [a, b] = members;
      expect(new Set([...workerOf(a.id), ...workerOf(b.id)])).toEqual(new Set(['wa', 'wb']));
      expect(Date.parse(a.startedAt)).toBeLessThan(Date.parse(b.endedAt));
      expect(Date.parse(b.startedAt)).toBeLessThan(Date.parse(a.endedAt));
    } finally {
      db.close();
    }
  }, 240_000);
});
