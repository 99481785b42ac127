// Trainer processes in the desktop app: Electron's utilityProcess runs the same compiled trainer entry that
// Node's child_process.fork runs in serve mode and the CLI.

import { utilityProcess } from 'electron';
import type * as TrainerProcessModule from '../core/training/trainer-process.js';
import type { TrainerHandle } from '../core/training/trainer-process.js';
import type { TrainerEvent, TrainerRequest } from '../shared/trainer-protocol.js';

/** `outputLines` comes from the compiled core (main loads the core at run time, see index.ts). */
export function utilityTrainerSpawner(entry: string, outputLines: typeof TrainerProcessModule.outputLines): () => TrainerHandle {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'digit-workbench trainer',
      // Piped so that the core files the trainer's output in the log with its pid and run.
      stdio: 'pipe',
      env: { ...process.env, DIGIT_WORKBENCH_TRAINER: '1' },
    });
    let exited = false;
    return {
      get pid() {
        return child.pid;
      },
      onOutput: outputLines(child),
      send: (request: TrainerRequest) => {
        if (!exited) child.postMessage(request);
      },
      onEvent: (listener: (event: TrainerEvent) => void) => child.on('message', (m: unknown) => listener(m as TrainerEvent)),
      onExit: (listener: (reason: string) => void) =>
        child.once('exit', (code: number) => {
          exited = true;
          listener(`the trainer process exited with code ${code}`);
        }),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
