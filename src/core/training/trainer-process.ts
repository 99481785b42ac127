// Spawning a trainer process. The core never imports electron: the desktop app passes a spawner built on
// utilityProcess.fork; serve mode, the CLI and the tests use Node's child_process.fork with the same protocol.

import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WorkbenchError } from '../../shared/errors.js';
import { projectRoot } from '../paths.js';
import type { TrainerEvent, TrainerRequest } from '../../shared/trainer-protocol.js';

export interface TrainerHandle {
  readonly pid: number | undefined;
  send(request: TrainerRequest): void;
  onEvent(listener: (event: TrainerEvent) => void): void;
  /** Called once when the process ends, with a human reason ("killed by SIGKILL", "exited with code 3"). */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
  /** Only for pool runs: the owner closes but the run trains on (its events wait in Redis for the next owner). */
  detach?(): void;
  /** Each line the trainer writes to stdout or stderr (its pino JSON, native libraries' chatter, a crash's trace). */
  onOutput?(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
}

/** Lines from a trainer's pipes; always read (a full pipe would block the trainer), dropped while nobody listens. */
export function outputLines(streams: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null }): (listener: (line: string, stream: 'stdout' | 'stderr') => void) => void {
  const listeners: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = streams[name];
    if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => listeners.forEach((l) => l(line, name)));
  }
  return (listener) => void listeners.push(listener);
}

export type TrainerSpawner = () => TrainerHandle;

/** The compiled trainer entry (build/node/trainer/main.js), also when the core itself runs from TypeScript sources. */
export function trainerEntry(): string {
  const entry = join(projectRoot(), 'build', 'node', 'trainer', 'main.js');
  if (!existsSync(entry)) throw new WorkbenchError('internal', `the trainer is not built (${entry}); run npm run build:node`);
  return entry;
}

export function nodeTrainerSpawner(): TrainerHandle {
  const child = fork(trainerEntry(), [], {
    serialization: 'advanced', // typed arrays cross as they are
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, DIGIT_WORKBENCH_TRAINER: '1' },
  });
  const onOutput = outputLines(child);
  return {
    get pid() {
      return child.pid;
    },
    onOutput,
    send: (request) => {
      if (child.connected) child.send(request);
    },
    onEvent: (listener) => child.on('message', (m) => listener(m as TrainerEvent)),
    // 'close', not 'exit': it comes after the IPC channel is drained, so every message the trainer sent before it
    // died (a completed epoch's checkpoint) is handled before its run is failed.
    onExit: (listener) =>
      child.once('close', (code, signal) => listener(signal ? `the trainer process was killed by ${signal}` : `the trainer process exited with code ${code}`)),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}
