// Where contract calls pass through (Workbench.call, serve's HTTP routes): an unexpected error is logged once,
// with its stack, before it crosses to the caller as {code:'internal'}. Expected failures are the caller's answer.
// Files only: the caller shows the message to the user already, so stderr would say it twice.

import { WorkbenchError } from '../shared/errors.js';
import { createLogger } from './logger.js';

const log = createLogger('calls');
const quiet = { stderr: false };

export function logCallFailure(what: string, err: unknown): void {
  if (err instanceof WorkbenchError) {
    if (err.code === 'internal') log.error(`${what} failed`, err, quiet);
    // A file system refusal or a trainer that died is the user's to see, and a maintainer's to read.
    else if (err.code === 'io' || err.code === 'trainer') log.warn(`${what}: ${err.message}`, quiet);
    return;
  }
  log.error(`${what} failed unexpectedly`, err instanceof Error ? err : new Error(String(err)), quiet);
}
