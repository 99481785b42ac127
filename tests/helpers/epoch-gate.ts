// Drives the trainer's epoch gate (src/trainer/epoch-gate.ts) from a test: pass `env` to the processes that spawn
// trainers, close the gate before starting runs that must be caught at an epoch boundary, wait until a run is held
// there, act (signal, kill, stop), then release it — or let the stop it was waiting for end the hold.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EPOCH_GATE_ENV, gateFiles } from '../../src/trainer/epoch-gate.js';

export interface Held {
  runId: number;
  epoch: number;
}

const WAIT_MS = 20;

export class EpochGate {
  readonly dir = mkdtempSync(join(tmpdir(), 'dw-gate-'));
  /** For the processes whose trainers the gate holds (trainers inherit their parent's environment). */
  readonly env: Record<string, string> = { [EPOCH_GATE_ENV]: this.dir };

  /** From now on every trainer holds at its next epoch boundary. Forgets what killed trainers left behind. */
  close(): void {
    for (const name of readdirSync(this.dir)) rmSync(join(this.dir, name), { force: true });
    writeFileSync(join(this.dir, gateFiles.closed), '');
  }

  /** Releases every held trainer; later epochs pass. */
  open(): void {
    rmSync(join(this.dir, gateFiles.closed), { force: true });
  }

  /** Trainers waiting at a boundary now (a trainer removes its file when it goes on; a killed one leaves it). */
  held(): Held[] {
    const out: Held[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = /^run-(\d+)-epoch-(\d+)\.held$/.exec(name);
      if (m) out.push({ runId: Number(m[1]), epoch: Number(m[2]) });
    }
    return out.sort((a, b) => a.runId - b.runId || a.epoch - b.epoch);
  }

  /** Resolves with the first held trainer that `match` accepts; fails after `timeoutMs` naming `what`. */
  async waitHeld(what: string, match: (h: Held) => boolean = () => true, timeoutMs = 60_000): Promise<Held> {
    return (await this.waitHeldCount(what, 1, match, timeoutMs))[0];
  }

  /** Resolves once `count` trainers that `match` accepts are held at once. */
  async waitHeldCount(what: string, count: number, match: (h: Held) => boolean = () => true, timeoutMs = 60_000): Promise<Held[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.held().filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} to be held at the epoch gate (held: ${JSON.stringify(this.held())})`);
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    }
  }

  release(h: Held): void {
    writeFileSync(join(this.dir, gateFiles.go(h.runId, h.epoch)), '');
  }

  /** Until the returned function is called, releases every held trainer `pass` lets go on (asked again on every poll while one waits). */
  releaseWhere(pass: (h: Held) => boolean): () => void {
    let errors = 0;
    const timer = setInterval(() => {
      try {
        for (const h of this.held()) if (pass(h)) this.release(h);
      } catch (err) {
        // A store busy for a moment: decide on the next poll; anything persistent shows as a held run in the test.
        if (++errors === 50) console.error(`epoch gate releaser: ${(err as Error).message}`);
      }
    }, WAIT_MS);
    return () => clearInterval(timer);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
