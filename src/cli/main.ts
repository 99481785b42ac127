// digit-workbench: the command line over the same Workbench core as the desktop app and serve mode.
// Exit codes: 0 ok, 1 bad input or failure (message on stderr), 2 usage.

import { WorkbenchError } from '../shared/errors.js';
import type { Workbench } from '../core/workbench.js';
import { UsageError } from './args.js';
import type { Command, Context } from './command.js';
import { createLogger, startFileLogging, stopFileLogging } from '../core/logger.js';
import { resolveHome } from '../core/home.js';

const log = createLogger('cli');
/** Each process kind logs to its own file: serve and worker run for long, the CLI's commands come and go. */
const LOG_FILES: Record<string, string> = { serve: 'serve', worker: 'worker' };
// Each command's module is loaded only when it runs (or for --help): together they pull in ~7 ms of modules
// that a single command mostly does not need.
const commandModules: Record<string, () => Promise<Command>> = {
  import: async () => (await import('./commands/datasets.js')).importCommand,
  datasets: async () => (await import('./commands/datasets.js')).datasetsCommand,
  train: async () => (await import('./commands/runs.js')).trainCommand,
  runs: async () => (await import('./commands/runs.js')).runsCommand,
  stop: async () => (await import('./commands/runs.js')).stopCommand,
  resume: async () => (await import('./commands/runs.js')).resumeCommand,
  model: async () => (await import('./commands/model.js')).modelCommand,
  export: async () => (await import('./commands/submissions.js')).exportCommand,
  submissions: async () => (await import('./commands/submissions.js')).submissionsCommand,
  predict: async () => (await import('./commands/submissions.js')).predictCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  worker: async () => (await import('./commands/workers.js')).workerCommand,
  workers: async () => (await import('./commands/workers.js')).workersCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  sweep: async () => (await import('./commands/sweeps.js')).sweepCommand,
  sweeps: async () => (await import('./commands/sweeps.js')).sweepsCommand,
  'label-issues': async () => (await import('./commands/labels.js')).labelIssuesCommand,
  'lr-find': async () => (await import('./commands/lr-find.js')).lrFindCommand,
  embedding: async () => (await import('./commands/embedding.js')).embeddingCommand,
  backends: async () => (await import('./commands/backends.js')).backendsCommand,
  autopilot: async () => (await import('./commands/autopilot.js')).autopilotCommand,
};
/** Commands that open the store themselves, so the whole Workbench (~30 ms of modules) is never loaded for them. */
const withoutWorkbench = new Set(['import', 'worker']);

async function mainUsage(): Promise<string> {
  const commands = await Promise.all(Object.values(commandModules).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Digit Workbench — train, compare and submit Kaggle Digit Recognizer models

usage: digit-workbench [--home DIR] COMMAND [options]

commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

  --home DIR   data folder (default: $DIGIT_WORKBENCH_HOME, else ~/.config/digit-workbench)
  COMMAND --help shows a command's options. An argument that is a number is an id, an existing
  path is a file, anything else a name.`;
}

/** Splits off the global --home so that commands see only their own options. */
function splitGlobal(argv: string[]): { home?: string; rest: string[] } {
  const rest: string[] = [];
  let home: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--home') {
      home = argv[++i];
      if (home === undefined) throw new UsageError('--home needs a folder');
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else {
      rest.push(arg);
    }
  }
  return { home, rest };
}

export async function main(argv: string[]): Promise<number> {
  let wb: Workbench | undefined;
  try {
    const { home, rest } = splitGlobal(argv);
    const [name, ...args] = rest;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(await mainUsage());
      return name === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(commandModules, name) ? commandModules[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}"`);
    const command = await load();
    if (!args.includes('--help') && !args.includes('-h')) {
      await startFileLogging({ home: resolveHome(home), name: LOG_FILES[name] ?? 'cli' });
      log.info(`digit-workbench ${rest.join(' ')}`.slice(0, 500));
      // Logs an error that escapes every handler (a long-running serve or worker) without changing what Node does.
      process.on('uncaughtExceptionMonitor', (err, origin) => log.error(origin, err, { stderr: false }));
    }
    // Loaded here, not at the top, so that --help and the import command never load it.
    const core = withoutWorkbench.has(name) ? undefined : await import('../core/workbench.js');
    const ctx: Context = {
      home,
      workbench: (opts) => {
        if (!core) throw new Error(`"${command.name}" is listed as a command without a Workbench`);
        return (wb ??= new core.Workbench({ home, ...opts }));
      },
    };
    await command.run(args, ctx);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`digit-workbench: ${err.message}\n(see digit-workbench --help)`);
      return 2;
    }
    if (err instanceof WorkbenchError) {
      console.error(`digit-workbench: ${err.message}`);
      return 1;
    }
    log.error('unexpected error', err instanceof Error ? err : new Error(String(err)), { stderr: false });
    console.error(`digit-workbench: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    wb?.close();
    stopFileLogging();
  }
}
