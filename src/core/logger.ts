// Scoped loggers over pino, in every process. Until startFileLogging() runs (and in the trainer, whose parent
// captures its stderr) records go to stderr only. stderr shows DIGIT_WORKBENCH_LOG's level (default warn: the CLI's
// stdout is for results, its stderr for the user); the files under <data folder>/logs/ keep info and up, rotated.

import { mkdirSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { join } from 'node:path';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { humanLine } from './log-format.js';

const require = createRequire(import.meta.url);

/**
 * pino-roll requires date-fns' index, which loads all ~250 of date-fns' functions for the five pino-roll calls:
 * 100 ms of the CLI's 300 ms start-up here (a third of `import` on a small file). Before pino-roll first loads,
 * the index's slot in the module cache gets an object that loads each function from its own date-fns module
 * (date-fns ships one per function) when pino-roll first reads it. Exported for its test.
 */
export function lightDateFns(): void {
  const rollRequire = createRequire(require.resolve('pino-roll'));
  const index = rollRequire.resolve('date-fns');
  if (require.cache[index]) return;
  const loaded: Record<string, unknown> = {};
  const exports = new Proxy(loaded, {
    get: (fns, name) => (typeof name !== 'string' || name === 'then' ? undefined : (fns[name] ??= (rollRequire(`date-fns/${name}`) as Record<string, unknown>)[name])),
  });
  const mod = new Module(index);
  Object.assign(mod, { filename: index, loaded: true, exports });
  require.cache[index] = mod;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export const LOGS_FOLDER = 'logs';
export const LOG_FILE_BYTES = '10m';
/** Rotated files kept per process kind, beside the one in use. */
export const LOG_FILES_KEPT = 7;

export function stderrLevel(env: NodeJS.ProcessEnv = process.env): Level {
  const value = env.DIGIT_WORKBENCH_LOG as Level | undefined;
  return value && LEVELS.includes(value) ? value : 'warn';
}

/**
 * stderr gets a line a person reads; the files keep pino's JSON (one object a line, stacks included). A record
 * with `stderr: false` is for the files only (the caller already told the user, in its own words).
 */
const stderrStream: DestinationStream = {
  write: (line: string) => {
    if (!line.includes('"stderr":false')) process.stderr.write(humanLine(line));
  },
};

function stderrOnly(): Pino {
  return pino({ level: stderrLevel(), base: { pid: process.pid } }, stderrStream);
}

let root: Pino = stderrOnly();
let generation = 0;
let fileStream: { end(): void; flushSync?(): void } | undefined;

export function logsFolder(home: string): string {
  return join(home, LOGS_FOLDER);
}

/**
 * Adds the rotating file `<home>/logs/<name>.N.log` (daily or at 10 MB, 7 old files kept). One file name per
 * process kind (app, serve, cli, worker) so that concurrent processes rarely share a file; when they do, each
 * appends whole lines.
 */
export async function startFileLogging(opts: { home: string; name: string; size?: string }): Promise<string | null> {
  const folder = logsFolder(opts.home);
  const file = join(folder, opts.name);
  let stream;
  try {
    mkdirSync(folder, { recursive: true });
    lightDateFns();
    const { default: pinoRoll } = await import('pino-roll');
    // sync writes: a crash right after a log call must still leave the line in the file.
    stream = await pinoRoll({ file, extension: '.log', frequency: 'daily', size: opts.size ?? LOG_FILE_BYTES, limit: { count: LOG_FILES_KEPT }, sync: true, mkdir: true });
  } catch (err) {
    // A read-only data folder must not stop the app: it runs on, logging to stderr only.
    root.warn(`cannot write logs in ${folder}: ${(err as Error).message}`);
    return null;
  }
  stopFileLogging();
  fileStream = stream;
  const level = stderrLevel() === 'debug' ? 'debug' : 'info';
  root = pino(
    { level, base: { pid: process.pid, process: opts.name } },
    pino.multistream([
      { level: stderrLevel(), stream: stderrStream },
      { level, stream },
    ]),
  );
  generation++;
  return folder;
}

export function stopFileLogging(): void {
  if (!fileStream) return;
  fileStream.flushSync?.();
  fileStream.end();
  fileStream = undefined;
  root = stderrOnly();
  generation++;
}

/** An Error anywhere in the arguments is logged as `err` (message and stack); other values as `details`. */
function record(rest: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const details: unknown[] = [];
  for (const value of rest) {
    if (value instanceof Error) out.err = value;
    else if (value && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) Object.assign(out, value);
    else details.push(value);
  }
  if (details.length) out.details = details;
  return out;
}

export function createLogger(scope: string): Logger {
  let child: Pino | undefined;
  let seen = -1;
  // Modules create their logger at import time, before the process has chosen its files: resolve the child lazily.
  const current = () => {
    if (seen !== generation || !child) {
      child = root.child({ scope });
      seen = generation;
    }
    return child;
  };
  const at = (level: Level) => (message: string, ...rest: unknown[]) => {
    const log = current();
    if (!log.isLevelEnabled(level)) return;
    if (rest.length === 0) log[level](message);
    else log[level](record(rest), message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
