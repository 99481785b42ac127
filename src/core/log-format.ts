// Reading pino's JSON lines as a person would: "2026-11-30T12:00:00.000Z warn runs: message" plus the stack.
// Used for stderr, `digit-workbench logs` and the run page's Log tab.

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export interface LogRecord {
  time: number;
  level: string;
  scope: string;
  msg: string;
  pid?: number;
  runId?: number;
  stack?: string;
  raw: Record<string, unknown>;
}

export function parseLogLine(line: string): LogRecord | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || typeof o.msg !== 'string') return null;
  const err = o.err as { stack?: unknown } | undefined;
  return {
    time: typeof o.time === 'number' ? o.time : 0,
    level: LEVEL_NAMES[o.level as number] ?? String(o.level),
    scope: typeof o.scope === 'string' ? o.scope : '',
    msg: o.msg,
    pid: typeof o.pid === 'number' ? o.pid : undefined,
    runId: typeof o.runId === 'number' ? o.runId : undefined,
    stack: typeof err?.stack === 'string' ? err.stack : undefined,
    raw: o,
  };
}

/** `withProcess` names the process (for files several processes wrote): "[serve 1234] ". */
export function formatRecord(r: LogRecord, opts: { withProcess?: boolean } = {}): string {
  const proc = opts.withProcess && r.pid ? `[${typeof r.raw.process === 'string' ? r.raw.process : 'pid'} ${r.pid}] ` : '';
  const head = `${new Date(r.time).toISOString()} ${r.level.padEnd(5)} ${proc}${r.scope ? `${r.scope}: ` : ''}${r.msg}`;
  return r.stack ? `${head}\n${r.stack.replace(/^/gm, '    ')}` : head;
}

/** One pino JSON line → one human line (with the stack indented below it); anything else passes through. */
export function humanLine(line: string): string {
  const r = parseLogLine(line.trimEnd());
  return r ? `${formatRecord(r)}\n` : line;
}
