// Argument parsing for the CLI: node's parseArgs, with usage errors that exit 2 and a --help on every command.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options, positionals: { min: number; max: number }): Parsed {
  let result;
  try {
    result = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = result.values as Parsed['values'];
  if (!values.help) {
    if (result.positionals.length < positionals.min) throw new UsageError('missing argument');
    if (result.positionals.length > positionals.max) throw new UsageError(`unexpected argument "${result.positionals[positionals.max]}"`);
  }
  return { values, positionals: result.positionals };
}

export function optionalString(values: Parsed['values'], key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

/** An integer option: a usage error names the option when the value is not a whole number. */
export function optionalInt(values: Parsed['values'], key: string): number | undefined {
  const v = optionalString(values, key);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${key} must be a whole number (got "${v}")`);
  return Number(v);
}

export function optionalNumber(values: Parsed['values'], key: string): number | undefined {
  const v = optionalString(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${key} must be a number (got "${v}")`);
  return n;
}
