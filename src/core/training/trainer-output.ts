// A trainer's stdout and stderr filed in this process's log, each line prefixed "[trainer PID run N]" (the
// trainer's own pino lines keep their level, scope and stack), and handed to the run's log when it trains one.

import { parseLogLine } from '../log-format.js';
import { createLogger, type Level } from '../logger.js';
import type { TrainerHandle } from './trainer-process.js';

const log = createLogger('trainer');
const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

export function captureTrainerOutput(trainer: TrainerHandle, opts: { runId?: number; onLine?: (level: Level, text: string) => void } = {}): void {
  trainer.onOutput?.((line, stream) => {
    if (!line.trim()) return;
    const prefix = `[trainer ${trainer.pid ?? '?'}${opts.runId !== undefined ? ` run ${opts.runId}` : ''}]`;
    const r = parseLogLine(line);
    // Unstructured stderr is what a crashing native library or V8 prints: worth a warning.
    const level: Level = r ? (LEVELS.includes(r.level as Level) ? (r.level as Level) : 'error') : stream === 'stderr' ? 'warn' : 'info';
    const text = r ? `${r.scope ? `${r.scope}: ` : ''}${r.msg}` : line;
    const fields = { runId: opts.runId, trainerPid: trainer.pid, ...(r?.stack ? { err: { message: r.msg, stack: r.stack } } : {}) };
    log[level](`${prefix} ${text}`, fields);
    opts.onLine?.(level, r?.stack ? `${text}\n${r.stack}` : text);
  });
}
