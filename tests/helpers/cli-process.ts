// `digit-workbench` as a real process on a data folder (the compiled CLI, as `npm test` builds it): its exit code,
// stdout and stderr, whatever the code — a refusal is a result to assert on, not an exception.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI_BIN = join(process.cwd(), 'bin', 'digit-workbench.js');

export async function runCli(home: string, args: string[], opts: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  try {
    const env = opts.env ? { ...process.env, ...opts.env } : undefined;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_BIN, '--home', home, ...args], { timeout: opts.timeout ?? 120_000, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
