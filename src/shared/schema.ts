// A small runtime schema library: every value crossing a process boundary is checked against one of these,
// and a failure names the offending field ("epochs: must be an integer from 1 to 1000"). Objects and lists check
// every field before failing, so a form can show all of its problems at once (details.issues).

import { badInput, WorkbenchError } from './errors.js';

export interface Schema<T> {
  /** Returns the parsed value or throws a bad-input WorkbenchError naming the path. */
  parse(value: unknown, path?: string): T;
  readonly description: string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** One failing field: its path ("validation.ratio", "model[3].filters") and the message without the path. */
export interface Issue {
  path: string;
  message: string;
}

/** The error's details: the first failing path (kept for callers that name one field) and every issue. */
export interface IssueDetails {
  path: string;
  issues: Issue[];
}

function invalid(issues: Issue[]): WorkbenchError {
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
  return badInput(text, { path: issues[0].path, issues } satisfies IssueDetails);
}

function fail(path: string, message: string): never {
  throw invalid([{ path, message }]);
}

/** The issues a parse failure carried, or null when it was not a schema failure (those propagate as they are). */
export function issuesOf(err: unknown): Issue[] | null {
  if (!(err instanceof WorkbenchError) || err.code !== 'bad-input') return null;
  const issues = (err.details as Partial<IssueDetails> | undefined)?.issues;
  return Array.isArray(issues) ? issues : null;
}

/** Runs every check, then throws one error listing all the issues found. */
function collect(checks: (() => void)[]): void {
  const issues: Issue[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      const found = issuesOf(err);
      if (!found) throw err;
      issues.push(...found);
    }
  }
  if (issues.length) throw invalid(issues);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** "must be X (got Y)", or "(it is empty)" for a value that is not there (a cleared input, a missing option). */
function expected(description: string, value: unknown): string {
  return value === null || value === undefined ? `must be ${description} (it is empty)` : `must be ${description} (got ${describe(value)})`;
}

export function int(opts: { min?: number; max?: number } = {}): Schema<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const description = `an integer from ${min} to ${max}`;
  return {
    description,
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        fail(path, expected(description, value));
      }
      return value;
    },
  };
}

export function num(opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): Schema<number> {
  const min = opts.min ?? -Number.MAX_VALUE;
  const max = opts.max ?? Number.MAX_VALUE;
  // "above 0 and at most 10" when the minimum is excluded: "above 0 to 10" does not read.
  const upper = opts.max === undefined ? '' : opts.exclusiveMin ? ` and at most ${max}` : ` to ${max}`;
  const description = `a number ${opts.exclusiveMin ? 'above' : 'from'} ${min}${upper}`;
  return {
    description,
    parse(value, path = '') {
      const below = opts.exclusiveMin ? (value as number) <= min : (value as number) < min;
      if (typeof value !== 'number' || !Number.isFinite(value) || below || value > max) {
        fail(path, expected(description, value));
      }
      return value;
    },
  };
}

export const id: Schema<number> = int({ min: 1 });

export function str(opts: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Schema<string> {
  const max = opts.max ?? 4096;
  const min = opts.min ?? 0;
  const description = opts.hint ?? `a string of ${min} to ${max} characters`;
  return {
    description,
    parse(value, path = '') {
      if (typeof value !== 'string') fail(path, expected(description, value));
      if (value.length < min || value.length > max) fail(path, `must be ${description} (got ${value.length} characters)`);
      if (opts.pattern && !opts.pattern.test(value)) fail(path, expected(description, value));
      return value;
    },
  };
}

export const bool: Schema<boolean> = {
  description: 'true or false',
  parse(value, path = '') {
    if (typeof value !== 'boolean') fail(path, expected('true or false', value));
    return value;
  },
};

export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  const description = `one of ${values.join(', ')}`;
  return {
    description,
    parse(value, path = '') {
      if (typeof value !== 'string' || !values.includes(value)) fail(path, expected(description, value));
      return value as T[number];
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return {
    description: `${inner.description} (optional)`,
    parse(value, path = '') {
      return value === undefined ? undefined : inner.parse(value, path);
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    description: `${inner.description} or null`,
    parse(value, path = '') {
      return value === null ? null : inner.parse(value, path);
    },
  };
}

export function array<T>(inner: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
  const min = opts.min ?? 0;
  const max = opts.max ?? 10_000;
  return {
    description: `a list of ${min} to ${max} items`,
    parse(value, path = '') {
      if (!Array.isArray(value)) fail(path, expected('a list', value));
      if (value.length < min || value.length > max) fail(path, `must have ${min} to ${max} items (got ${value.length})`);
      const out: T[] = [];
      collect(value.map((item, i) => () => void out.push(inner.parse(item, `${path}[${i}]`))));
      return out;
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** Unknown keys are rejected: a misspelt option must not be silently ignored. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    description: 'an object',
    parse(value, path = '') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(path, expected('an object', value));
      }
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      collect([
        ...Object.keys(record)
          // Own keys only: "constructor" or "__proto__" must not pass as fields of every object.
          .filter((key) => !Object.hasOwn(shape, key))
          .map((key) => () => {
            const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
            fail(path ? `${path}.${shown}` : shown, `is not a known field (known: ${Object.keys(shape).join(', ')})`);
          }),
        ...Object.entries(shape).map(([key, schema]) => () => {
          const parsed = schema.parse(record[key], path ? `${path}.${key}` : key);
          if (parsed !== undefined) out[key] = parsed;
        }),
      ]);
      return out as ObjectOf<S>;
    },
  };
}

export const none: Schema<undefined> = {
  description: 'nothing',
  parse(value, path = '') {
    const emptyObject = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
    if (value !== undefined && value !== null && !emptyObject) {
      fail(path, 'takes no arguments');
    }
    return undefined;
  },
};

/** For values that are validated deeper in the core (e.g. hyperparameters against a preset). */
export function record(): Schema<Record<string, unknown>> {
  return {
    description: 'an object',
    parse(value, path = '') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, expected('an object', value));
      return value as Record<string, unknown>;
    },
  };
}
