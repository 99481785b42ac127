// Scoped loggers. Quiet by default (the CLI's stdout is for results); DIGIT_WORKBENCH_LOG=debug|info|warn shows more.

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

function threshold(): number {
  const env = process.env.DIGIT_WORKBENCH_LOG as Level | undefined;
  return order[env ?? 'warn'] ?? order.warn;
}

export function createLogger(scope: string): Logger {
  const log = (level: Level) => (message: string, ...rest: unknown[]) => {
    if (order[level] < threshold()) return;
    console.error(`[${new Date().toISOString()}] ${level} ${scope}: ${message}`, ...rest);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
