// A trainer spawner that keeps every handle it made, so a test can SIGKILL "the trainer of run N" or the latest.
import { nodeTrainerSpawner, type TrainerHandle, type TrainerSpawner } from '../../src/core/training/trainer-process.js';
import type { TrainerEvent } from '../../src/shared/trainer-protocol.js';

type RawListener = (event: TrainerEvent, trainer: TrainerHandle) => void;

export interface TrackedTrainers {
  spawn: TrainerSpawner;
  all: TrainerHandle[];
  latest(): TrainerHandle;
  /** Sees every trainer event before the core does (to kill between two messages, say). */
  onRaw(listener: RawListener): () => void;
}

export function trackedTrainers(): TrackedTrainers {
  const all: TrainerHandle[] = [];
  const raw = new Set<RawListener>();
  return {
    all,
    spawn: () => {
      const t = nodeTrainerSpawner();
      const handle: TrainerHandle = {
        get pid() {
          return t.pid;
        },
        send: (request) => t.send(request),
        onEvent: (listener) =>
          t.onEvent((event) => {
            for (const l of raw) l(event, handle);
            listener(event);
          }),
        onExit: (listener) => t.onExit(listener),
        kill: () => t.kill(),
        onOutput: t.onOutput,
      };
      all.push(handle);
      return handle;
    },
    latest: () => all[all.length - 1],
    onRaw: (listener) => {
      raw.add(listener);
      return () => raw.delete(listener);
    },
  };
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
