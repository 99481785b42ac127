// Logs and lineage on a real run: a real trainer process trains one epoch; its run's log (runs:log) holds the
// trainer's lines with its pid, the start and the outcome; the run records its lineage and the trainer's CPU and
// memory per epoch; an unexpected error inside a trainer reaches the log file with its stack and the trainer's pid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { startFileLogging, stopFileLogging } from '../../src/core/logger.js';
import { recentLogRecords } from '../../src/core/log-files.js';
import { appendRunLog, MAX_LINES, PAGE_LINES } from '../../src/core/training/run-log.js';
import { loadCheckpoint } from '../../src/core/training/runs-repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { sleep } from '../helpers/tracked-trainers.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let runId: number;
let datasetId: number;

beforeAll(async () => {
  dir = tempDir('dw-logs-');
  await startFileLogging({ home: dir.path, name: 'test' });
  wb = new Workbench({ home: dir.path, sample: false, backend: 'wasm', workers: 1 });
  datasetId = await importSmallTrainSet(wb, dir.path, 300);
  [{ id: runId }] = await wb.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
  expect(await wb.runs.waitFor(runId)).toBe('completed');
}, 180_000);
afterAll(() => {
  wb.close();
  stopFileLogging();
  dir.remove();
});

describe('a run’s log and lineage', () => {
  it('runs:log holds the trainer’s start, its own lines with its pid, and the outcome, page by page', async () => {
    const page = await wb.call('runs:log', { id: runId });
    const text = page.lines.map((l) => `${l.level} ${l.message}`);
    const pid = /trainer (\d+) starts/.exec(text.join('\n'))?.[1];
    expect(pid).toBeDefined();
    expect(text).toContain(`debug [trainer ${pid}] trainer ${pid} ready`);
    expect(text).toContain('info training on wasm with 1 worker');
    expect(text.at(-1)).toBe('info run completed');
    expect(page.lines.map((l) => l.seq)).toEqual(page.lines.map((_, i) => i + 1));
    expect(await wb.call('runs:log', { id: runId, offset: page.next })).toEqual({ lines: [], next: page.next });
    await expect(wb.call('runs:log', { id: 999 })).rejects.toMatchObject({ code: 'not-found' });
    // The process's log file has the same lines, tagged with the run.
    expect(recentLogRecords(dir.path, { max: 1000, runId }).map((r) => r.msg)).toContain(`run ${runId}: run completed`);
  });

  it('records the run’s lineage and the trainer’s CPU and memory per epoch', async () => {
    const run = await wb.call('runs:get', { id: runId });
    const dataset = await wb.call('datasets:get', { id: datasetId });
    expect(run.lineage).toMatchObject({
      appVersion: run.appVersion,
      datasetSha256: dataset.sha256,
      backend: 'wasm',
      backendVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      workers: 1,
      node: process.versions.node,
      electron: null,
    });
    // Tests run from a git checkout: the commit is read from .git without spawning git.
    expect(run.lineage!.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(run.epochs[0].cpuPercent).toBeGreaterThan(0);
    expect(run.epochs[0].rssMb).toBeGreaterThan(20);
  });

  it('records the native kernels’ library, version and instruction set on a native run, none on the others', async () => {
    // The backend a run gets by default here (native where its kernels load, else another): either way the lineage
    // says what computed the run, and the run's log names it.
    const auto = new Workbench({ home: dir.path, sample: false, workers: 1 });
    try {
      const [{ id }] = await auto.call('runs:start', { datasetId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
      expect(await auto.runs.waitFor(id)).toBe('completed');
      const run = await auto.call('runs:get', { id });
      const log = (await auto.call('runs:log', { id })).lines.map((l) => l.message).join('\n');
      if (run.backend === 'native') {
        expect(run.lineage!.kernels).toEqual({ library: 'oneDNN', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), isa: expect.stringMatching(/^(AVX|SSE)/), threads: expect.any(Number) });
        expect(run.lineage!.backendVersion).toBe(`oneDNN ${run.lineage!.kernels!.version}`);
        expect(log).toContain(`training on native, oneDNN ${run.lineage!.kernels!.version} ${run.lineage!.kernels!.isa} × `);
      } else {
        expect(run.lineage!.kernels ?? null).toBeNull();
        expect(log).toContain(`training on ${run.backend} with 1 worker`);
      }
    } finally {
      auto.close();
    }
  });

  it('an unexpected error inside a trainer is filed with its stack and the trainer’s pid', async () => {
    const run = await wb.call('runs:get', { id: runId });
    const checkpoint = loadCheckpoint(wb.db, runId, 'best')!;
    // No pixels at all: a request the core never makes, so the trainer meets it as a bug (a TypeError).
    const pixels = null as unknown as Uint8Array;
    await expect(
      wb.inference.request({ type: 'predict', model: run.hyperparams.model, checkpoint, pixels, tta: false, backend: 'wasm' }, 'predicted'),
    ).rejects.toMatchObject({ code: 'internal' });
    let filed;
    for (let i = 0; i < 50 && !filed; i++) {
      filed = recentLogRecords(dir.path, { max: 1000 }).find((r) => /^\[trainer \d+\] trainer: predict request failed$/.test(r.msg));
      if (!filed) await sleep(100);
    }
    expect(filed?.level).toBe('error');
    expect(filed?.stack).toMatch(/\n\s+at /);
  });

  it('keeps a run’s last lines only, and pages them', async () => {
    const id = runId;
    for (let i = 0; i < MAX_LINES + 3; i++) appendRunLog(wb.db, id, 'info', `line ${i}`);
    const first = await wb.call('runs:log', { id });
    expect(first.lines).toHaveLength(PAGE_LINES);
    expect(first.lines[0].message).toBe('line 3'); // the run's earlier lines and lines 0–2 made room
    const count = wb.db.prepare('SELECT COUNT(*) FROM run_logs WHERE run_id = ?').pluck().get(id);
    expect(count).toBe(MAX_LINES);
  });
});
