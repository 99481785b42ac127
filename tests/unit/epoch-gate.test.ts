// The trainer's epoch gate (a test hook): inert without its variable or while open; closed, it holds a run after an
// epoch until that epoch is released, the gate opens or a stop arrives, and says so with a file while it waits.
import { afterAll, describe, expect, it } from 'vitest';
import { passEpochGate } from '../../src/trainer/epoch-gate.js';
import { EpochGate } from '../helpers/epoch-gate.js';

const gate = new EpochGate();
afterAll(() => gate.remove());

/** Whether `p` is still pending after the gate polled a few times. */
async function pending(p: Promise<void>): Promise<boolean> {
  const later = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 60));
  return (await Promise.race([p.then(() => 'done' as const), later])) === 'pending';
}

describe('the epoch gate', () => {
  it('passes at once without the variable, and while the gate is open', async () => {
    gate.close();
    expect(await pending(passEpochGate(1, 1, () => false, undefined))).toBe(false);
    gate.open();
    expect(await pending(passEpochGate(1, 1, () => false, gate.dir))).toBe(false);
    expect(gate.held()).toEqual([]);
  });

  it('closed, holds until that epoch is released, and only that epoch', async () => {
    gate.close();
    const p = passEpochGate(3, 2, () => false, gate.dir);
    expect(await pending(p)).toBe(true);
    expect(gate.held()).toEqual([{ runId: 3, epoch: 2 }]);
    gate.release({ runId: 3, epoch: 1 });
    expect(await pending(p)).toBe(true);
    gate.release({ runId: 3, epoch: 2 });
    await p;
    expect(gate.held()).toEqual([]);
  });

  it('closed, a stop or opening the gate ends the hold', async () => {
    gate.close();
    let stop = false;
    const stopped = passEpochGate(4, 1, () => stop, gate.dir);
    const opened = passEpochGate(5, 1, () => false, gate.dir);
    expect(await pending(stopped)).toBe(true);
    expect((await gate.waitHeldCount('both', 2)).map((h) => h.runId)).toEqual([4, 5]);
    stop = true;
    await stopped;
    expect(await pending(opened)).toBe(true);
    gate.open();
    await opened;
    expect(gate.held()).toEqual([]);
  });
});
