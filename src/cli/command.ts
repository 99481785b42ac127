// What a CLI command is: a name, its help text and a run function over a lazily opened Workbench.

import type { Workbench, WorkbenchOptions } from '../core/workbench.js';

export interface Context {
  home?: string;
  /** Opens the store on first use (so --help never touches the data folder). */
  workbench(opts?: Pick<WorkbenchOptions, 'backend' | 'workers' | 'poolUrl'>): Workbench;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], ctx: Context): Promise<void>;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
