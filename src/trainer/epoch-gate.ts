// A test hook, inert unless DIGIT_WORKBENCH_TEST_EPOCH_GATE names a folder (the app never sets it): tests that must
// act while a run trains (inject a fault, kill its owner, deliver a stop or a sweep's pruning) hold the trainer at an
// epoch boundary instead of betting on how long epochs take. While the folder holds a file `closed`, a trainer that
// has sent an epoch's events writes `run-R-epoch-E.held` there and waits until `run-R-epoch-E.go` appears, the gate
// opens (`closed` removed) or a stop for the run arrives; then it removes its `.held` file and trains on.
// tests/helpers/epoch-gate.ts drives it.

import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const EPOCH_GATE_ENV = 'DIGIT_WORKBENCH_TEST_EPOCH_GATE';
const POLL_MS = 10;

export const gateFiles = {
  closed: 'closed',
  held: (runId: number, epoch: number) => `run-${runId}-epoch-${epoch}.held`,
  go: (runId: number, epoch: number) => `run-${runId}-epoch-${epoch}.go`,
};

/** Holds the run after `epoch` while a test keeps the gate closed; returns at once when the hook is off. */
export async function passEpochGate(runId: number, epoch: number, stopRequested: () => boolean, dir = process.env[EPOCH_GATE_ENV]): Promise<void> {
  if (!dir) return;
  const closed = join(dir, gateFiles.closed);
  const go = join(dir, gateFiles.go(runId, epoch));
  if (!existsSync(closed)) return;
  const held = join(dir, gateFiles.held(runId, epoch));
  writeFileSync(held, '');
  // Timers let the stop request in (the trainer's IPC messages arrive between them).
  while (existsSync(closed) && !existsSync(go) && !stopRequested()) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  rmSync(held, { force: true });
}
