// The trainer's scoped loggers (the trainer cannot import the core): pino JSON lines on stderr, which the parent
// captures, prefixes with "[trainer PID run N]" and files in its own log. The engine's worker threads share it.

import { pino } from 'pino';

const level = process.env.DIGIT_WORKBENCH_LOG === 'debug' ? 'debug' : 'info';
const root = pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));

export interface Logger {
  debug(message: string, err?: Error): void;
  info(message: string, err?: Error): void;
  warn(message: string, err?: Error): void;
  error(message: string, err?: Error): void;
}

export function createLogger(scope: string): Logger {
  const log = root.child({ scope });
  const at = (l: 'debug' | 'info' | 'warn' | 'error') => (message: string, err?: Error) => (err ? log[l]({ err }, message) : log[l](message));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
