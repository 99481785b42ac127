// digit-workbench: the command line over the same Workbench core as the desktop app and serve mode.
// Exit codes: 0 ok, 1 bad input or failure (message on stderr), 2 usage.

import { WorkbenchError } from '../shared/errors.js';
import type { Workbench } from '../core/workbench.js';
import { UsageError } from './args.js';
import type { Command, Context } from './command.js';
import { datasetsCommand, importCommand } from './commands/datasets.js';
import { resumeCommand, runsCommand, stopCommand, trainCommand } from './commands/runs.js';
import { modelCommand } from './commands/model.js';
import { serveCommand } from './commands/serve.js';
import { exportCommand, predictCommand, submissionsCommand } from './commands/submissions.js';

const commands: Command[] = [importCommand, datasetsCommand, trainCommand, runsCommand, stopCommand, resumeCommand, modelCommand, exportCommand, submissionsCommand, predictCommand, serveCommand];
/** Commands that open the store themselves, so the whole Workbench (~30 ms of modules) is never loaded for them. */
const withoutWorkbench = new Set<Command>([importCommand]);

function mainUsage(): string {
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
      console.log(mainUsage());
      return name === undefined ? 2 : 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    // Loaded here, not at the top, so that --help and the import command never load it.
    const core = withoutWorkbench.has(command) ? undefined : await import('../core/workbench.js');
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
    console.error(`digit-workbench: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    wb?.close();
  }
}
