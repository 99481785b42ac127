// Trainer processes in the desktop app: Electron's utilityProcess runs the same compiled trainer entry that
// Node's child_process.fork runs in serve mode and the CLI.

import { utilityProcess } from 'electron';
import type { TrainerHandle } from '../core/training/trainer-process.js';
import type { TrainerEvent, TrainerRequest } from '../shared/trainer-protocol.js';

export function utilityTrainerSpawner(entry: string): () => TrainerHandle {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'digit-workbench trainer', stdio: 'inherit' });
    let exited = false;
    return {
      get pid() {
        return child.pid;
      },
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
