// logs: the data folder's log, or one run's log, on stdout (so it can be piped into a bug report).

import { resolveHome } from '../../core/home.js';
import { logFiles, readLines, recentLogRecords } from '../../core/log-files.js';
import { formatRecord, parseLogLine } from '../../core/log-format.js';
import { logsFolder } from '../../core/logger.js';
import { parse, optionalInt, UsageError } from '../args.js';
import type { Command, Context } from '../command.js';

const POLL_MS = 500;
const TERMINAL = new Set(['completed', 'stopped', 'failed', 'interrupted']);

const untilInterrupted = (tick: () => Promise<boolean> | boolean) =>
  new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout;
    const stop = () => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    const loop = async () => ((await tick()) ? stop() : (timer = setTimeout(loop, POLL_MS)));
    timer = setTimeout(loop, POLL_MS);
  });

async function runLog(ctx: Context, id: number, follow: boolean): Promise<void> {
  const wb = ctx.workbench();
  let offset = 0;
  const drain = async () => {
    for (;;) {
      const page = await wb.call('runs:log', { id, offset });
      for (const l of page.lines) process.stdout.write(`${l.at} ${l.level.padEnd(5)} ${l.message}\n`);
      offset = page.next;
      if (page.lines.length === 0) return;
    }
  };
  await drain();
  if (!follow) return;
  // Until the run ends (its last lines are written before its final status) or Ctrl-C.
  await untilInterrupted(async () => {
    const ended = TERMINAL.has((await wb.call('runs:get', { id })).status);
    await drain();
    return ended;
  });
}

async function folderLog(home: string, lines: number, follow: boolean): Promise<void> {
  const records = recentLogRecords(home, { max: lines });
  if (records.length === 0 && !follow) process.stderr.write(`no log lines yet in ${logsFolder(home)}\n`);
  for (const r of records) process.stdout.write(`${formatRecord(r, { withProcess: true })}\n`);
  if (!follow) return;
  const sizes = new Map(logFiles(home).map((f) => [f.path, f.size]));
  await untilInterrupted(() => {
    for (const f of logFiles(home)) {
      const from = sizes.get(f.path) ?? 0;
      if (f.size <= from) continue;
      const { lines: fresh, next } = readLines(f.path, from, f.size, { atLineStart: true });
      for (const line of fresh) {
        const r = parseLogLine(line);
        if (r) process.stdout.write(`${formatRecord(r, { withProcess: true })}\n`);
      }
      sizes.set(f.path, next);
    }
    return false;
  });
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'print the log (all processes, or one run) — attach it to a bug report',
  usage: `digit-workbench logs [--run ID] [--lines N] [--follow]

  Without --run: the newest lines of every process's log in <data folder>/logs/ (the app, serve, the CLI and
  the trainers they started), merged by time, with stacks of unexpected errors. With --run: that run's own log
  (its trainer's output, status changes, failures). --follow keeps printing new lines (until the run ends, with
  --run) — Ctrl-C stops. DIGIT_WORKBENCH_LOG=debug|info|warn|error sets what also goes to stderr (default warn).

  --lines N   how many of the newest lines (default 200; not with --run, which prints the run's whole log)`,
  async run(argv, ctx) {
    const { values } = parse(argv, { run: { type: 'string' }, lines: { type: 'string' }, follow: { type: 'boolean' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const runId = optionalInt(values, 'run');
    if (runId !== undefined && runId < 1) throw new UsageError(`--run must be a run id (got ${runId})`);
    const lines = optionalInt(values, 'lines') ?? 200;
    if (lines < 1) throw new UsageError(`--lines must be at least 1 (got ${lines})`);
    if (runId !== undefined) await runLog(ctx, runId, values.follow === true);
    else await folderLog(resolveHome(ctx.home), lines, values.follow === true);
  },
};
