// The last line of defence of a process that hosts training runs (serve, the CLI's train and resume): an error
// nothing caught is logged with its stack and the process goes on, so one bad request or event does not cut off
// every run it trains. A storm of them means the process can no longer be trusted: it marks its runs interrupted
// (resumable), then exits.

import { createLogger } from './logger.js';

const log = createLogger('process');
/** More unexpected errors than this within WINDOW_MS end the process. */
export const STORM = 10;
const WINDOW_MS = 60_000;
/** EX_SOFTWARE: an internal error. */
export const STORM_EXIT_CODE = 70;

export interface GuardOptions {
  /** Runs before a storm ends the process: close the store, which marks this process's runs interrupted. */
  beforeExit(): void;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : `a non-error value was thrown: ${String(err)}`;
}

/** Installs the handlers; the returned function removes them. */
export function guardProcess(opts: GuardOptions): () => void {
  const recent: number[] = [];
  let exiting = false;
  const handle = (kind: string) => (err: unknown) => {
    log.error(`${kind} (the process goes on): ${describe(err)}`);
    const now = Date.now();
    recent.push(now);
    while (recent[0] < now - WINDOW_MS) recent.shift();
    if (recent.length <= STORM || exiting) return;
    exiting = true;
    log.error(`${recent.length} unexpected errors within a minute: stopping; the runs this process was training become interrupted (resume them)`);
    try {
      opts.beforeExit();
    } catch (closeErr) {
      log.error(`could not close the store before exiting: ${describe(closeErr)}`);
    }
    process.exit(STORM_EXIT_CODE);
  };
  const onException = handle('uncaught exception');
  const onRejection = handle('unhandled promise rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
