// A CLI process killed during a run: its trainer goes too, the next process to open the store sees the run
// `interrupted` with every completed epoch, and resume continues from the last checkpoint to `completed`. The run is
// held at the epoch gate after epoch 2 until the kill, so it is mid-run however fast its epochs are.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadCheckpoint } from '../../src/core/training/runs-repo.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { EpochGate } from '../helpers/epoch-gate.js';

let dir: ReturnType<typeof tempDir>;
const gate = new EpochGate();
beforeAll(async () => {
  dir = tempDir();
  const wb = new Workbench({ home: dir.path });
  await importSmallTrainSet(wb, dir.path, 300);
  wb.close();
});
afterAll(() => {
  dir.remove();
  gate.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('killing the CLI during a run', () => {
  it('leaves the run interrupted with its epochs, and resume completes it', async () => {
    const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
    gate.close();
    const stopReleasing = gate.releaseWhere((h) => h.epoch < 2);
    const cli = spawn(process.execPath, [bin, '--home', dir.path, 'train', '--dataset', 'small-300-7', '--preset', 'seed-lenet5', '--epochs', '4', '--backend', 'wasm'], {
      stdio: 'ignore',
      env: { ...process.env, ...gate.env },
    });
    const watcher = new Workbench({ home: dir.path, sample: false });
    let trainerPid: number | null = null;
    try {
      for (let i = 0; i < 600; i++) {
        await sleep(100);
        const row = watcher.db.prepare('SELECT r.id, COUNT(e.epoch) AS n FROM runs r LEFT JOIN epochs e ON e.run_id = r.id GROUP BY r.id').get() as { id: number; n: number } | undefined;
        if (row && row.n >= 2) break;
      }
      await gate.waitHeld('the run after epoch 2', (h) => h.epoch === 2);
      const children = (await import('node:fs')).readFileSync(`/proc/${cli.pid}/task/${cli.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      trainerPid = children[0] ?? null;
      cli.kill('SIGKILL');
      await new Promise((r) => cli.once('exit', r));
    } finally {
      stopReleasing();
      gate.open();
      watcher.close();
    }
    // The orphaned trainer notices its parent is gone and exits.
    for (let i = 0; i < 50 && trainerPid !== null && alive(trainerPid); i++) await sleep(100);
    expect(trainerPid !== null && alive(trainerPid)).toBe(false);

    const wb = new Workbench({ home: dir.path, backend: 'wasm' });
    try {
      const [run] = await wb.call('runs:list', undefined);
      expect(run.status).toBe('interrupted');
      const done = run.epochsDone;
      expect(done).toBe(2); // held after epoch 2 until the kill
      expect(loadCheckpoint(wb.db, run.id, 'last')?.epoch).toBe(done);
      expect(wb.db.pragma('integrity_check', { simple: true })).toBe('ok');
      await wb.call('runs:update', { id: run.id, notes: 'resumed after a crash' });
      await wb.call('runs:resume', { id: run.id });
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
      const detail = await wb.call('runs:get', { id: run.id });
      expect(detail.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: detail.epochs.length }, (_, i) => i + 1));
      expect(detail.epochs.length).toBeGreaterThan(done);
      expect(detail.notes).toBe('resumed after a crash');
    } finally {
      wb.close();
    }
  });
});
