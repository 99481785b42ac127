// Trainer processes in the desktop app: Electron's utilityProcess runs the same compiled trainer entry that
// Node's child_process.fork runs in serve mode and the CLI. A utility process's 'exit' carries only a code, so the
// reason Chromium gives in app's 'child-process-gone' (oom, crashed, killed…) is matched to the trainer by its
// unique name and becomes the reason its run fails with.

import { app, utilityProcess, type Details } from 'electron';
import type * as TrainerProcessModule from '../core/training/trainer-process.js';
import type { TrainerHandle } from '../core/training/trainer-process.js';
import type { TrainerEvent, TrainerRequest } from '../shared/trainer-protocol.js';

/** How long an 'exit' waits for its 'child-process-gone': Electron does not order the two. */
export const GONE_GRACE_MS = 1000;

const WHAT: Record<Details['reason'], string> = {
  'clean-exit': 'exited',
  'abnormal-exit': 'exited abnormally',
  killed: 'was killed',
  crashed: 'crashed',
  oom: 'ran out of memory',
  'launch-failed': 'could not start',
  'integrity-failure': 'failed a code integrity check',
  'memory-eviction': 'was ended to free memory',
};

/** "the trainer process ran out of memory (oom, exit code 9)"; the run manager adds the epoch. */
export function goneReason(details: Pick<Details, 'reason' | 'exitCode'>, fatal: string | null = null): string {
  const what = WHAT[details.reason] ?? `ended (${String(details.reason)})`;
  return `the trainer process ${what} (${details.reason}, exit code ${details.exitCode})${fatal ? `: ${fatal}` : ''}`;
}

let spawned = 0;

/** `outputLines` comes from the compiled core (main loads the core at run time, see index.ts). */
export function utilityTrainerSpawner(entry: string, outputLines: typeof TrainerProcessModule.outputLines): () => TrainerHandle {
  return () => {
    const name = `digit-workbench trainer ${++spawned}`;
    const child = utilityProcess.fork(entry, [], {
      serviceName: name,
      // Piped so that the core files the trainer's output in the log with its pid and run.
      stdio: 'pipe',
      env: { ...process.env, DIGIT_WORKBENCH_TRAINER: '1' },
    });
    let exitCode: number | null = null;
    let gone: Details | null = null;
    let fatal: string | null = null;
    let graceOver = false;
    let reported = false;
    let onExit: ((reason: string) => void) | undefined;
    let grace: NodeJS.Timeout | undefined;

    const report = () => {
      if (reported || exitCode === null || !onExit || (!gone && !graceOver)) return;
      reported = true;
      clearTimeout(grace);
      app.off('child-process-gone', onGone);
      onExit(gone ? goneReason(gone, fatal) : `the trainer process exited with code ${exitCode}${fatal ? `: ${fatal}` : ''}`);
    };
    const onGone = (_event: Electron.Event, details: Details) => {
      if (details.type !== 'Utility' || (details.name !== name && details.serviceName !== name)) return;
      gone = details;
      report();
    };
    app.on('child-process-gone', onGone);
    // V8's fatal errors (an out-of-memory heap, say) say where; 'exit' still follows.
    child.on('error', (type: string, location: string) => {
      fatal = `${type} at ${location}`;
    });
    child.once('exit', (code: number) => {
      exitCode = code;
      grace = setTimeout(() => {
        graceOver = true;
        report();
      }, GONE_GRACE_MS);
      report();
    });
    return {
      get pid() {
        return child.pid;
      },
      onOutput: outputLines(child),
      send: (request: TrainerRequest) => {
        if (exitCode === null) child.postMessage(request);
      },
      onEvent: (listener: (event: TrainerEvent) => void) => child.on('message', (m: unknown) => listener(m as TrainerEvent)),
      onExit: (listener: (reason: string) => void) => {
        onExit = listener;
        report();
      },
      kill: () => {
        if (exitCode === null) child.kill();
      },
    };
  };
}
