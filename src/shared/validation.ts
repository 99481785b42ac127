// zod schemas worded for the workbench: every value crossing a process boundary is checked against one of these,
// and a failure names the offending field ("epochs: must be an integer from 1 to 1000 (got 0)"). Each builder
// gives zod the one description its messages use, for the type check and for every bound, so a value out of range
// reads like a value of the wrong type. `parse` turns zod's issues into one bad-input error listing all of them
// (details.issues), so a form can show every problem at once.

import * as z from 'zod';
import { badInput, type Issue, type IssueDetails } from './errors.js';

export type ErrorFn = (issue: { input?: unknown }) => string;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** "must be X (got Y)", or "(it is empty)" for a value that is not there (a cleared input, a missing option). */
export function expected(description: string): ErrorFn {
  return ({ input }) =>
    input === null || input === undefined ? `must be ${description} (it is empty)` : `must be ${description} (got ${describe(input)})`;
}

export function int(opts: { min?: number; max?: number } = {}): z.ZodInt {
  const error = expected(`an integer from ${opts.min ?? Number.MIN_SAFE_INTEGER} to ${opts.max ?? Number.MAX_SAFE_INTEGER}`);
  // abort: 2 ** 53 fails both the safe-integer check and the maximum; one message is enough.
  let schema = z.int({ error, abort: true });
  if (opts.min !== undefined) schema = schema.min(opts.min, { error });
  if (opts.max !== undefined) schema = schema.max(opts.max, { error });
  return schema;
}

export function num(opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): z.ZodNumber {
  const min = opts.min ?? -Number.MAX_VALUE;
  // "above 0 and at most 10" when the minimum is excluded: "above 0 to 10" does not read.
  const upper = opts.max === undefined ? '' : opts.exclusiveMin ? ` and at most ${opts.max}` : ` to ${opts.max}`;
  const error = expected(`a number ${opts.exclusiveMin ? 'above' : 'from'} ${min}${upper}`);
  let schema = z.number({ error });
  if (opts.min !== undefined) schema = opts.exclusiveMin ? schema.gt(opts.min, { error }) : schema.gte(opts.min, { error });
  if (opts.max !== undefined) schema = schema.lte(opts.max, { error });
  return schema;
}

export const id = int({ min: 1 });

export function str(opts: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): z.ZodString {
  const min = opts.min ?? 0;
  const max = opts.max ?? 4096;
  const description = opts.hint ?? `a string of ${min} to ${max} characters`;
  const error = expected(description);
  // A 1 MB string is reported by its length, never echoed; the pattern is not tried on a string of the wrong length.
  const length: ErrorFn = ({ input }) => `must be ${description} (got ${(input as string).length} characters)`;
  let schema = z.string({ error });
  if (min > 0) schema = schema.min(min, { error: length, abort: true });
  schema = schema.max(max, { error: length, abort: true });
  return opts.pattern ? schema.regex(opts.pattern, { error }) : schema;
}

export const bool = z.boolean({ error: expected('true or false') });

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, { error: expected(`one of ${values.join(', ')}`) }) as z.ZodEnum<{ [K in T[number]]: K }>;
}

export function optional<S extends z.ZodType>(inner: S): z.ZodOptional<S> {
  return inner.optional();
}

export function nullable<S extends z.ZodType>(inner: S): z.ZodNullable<S> {
  return inner.nullable();
}

export function array<S extends z.ZodType>(inner: S, opts: { min?: number; max?: number } = {}): z.ZodArray<S> {
  const min = opts.min ?? 0;
  const max = opts.max ?? 10_000;
  const count: ErrorFn = ({ input }) => `must have ${min} to ${max} items (got ${(input as unknown[]).length})`;
  return z.array(inner, { error: expected('a list') }).min(min, { error: count }).max(max, { error: count });
}

/**
 * Unknown keys are refused: a misspelt option must not be silently ignored. zod's strict objects test own keys,
 * so "constructor" or "__proto__" (an own key once JSON.parse made it) is refused too, never taken as a field.
 */
export function object<const S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape).join(', ');
  const error = expected('an object');
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `is not a known field (known: ${known})` : error(issue)) });
}

/** A method without arguments: nothing, null or {} (parsed as undefined). */
export const none = z
  .strictObject({}, { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a known field (this method takes no arguments)' : 'takes no arguments') })
  .nullish()
  .transform(() => undefined);

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Any object, for values validated deeper in the core (hyperparameters against a preset). Its keys are not known
 * here, but prototype keys are refused: zod would silently drop "__proto__", and "constructor" must not reach a merge.
 */
export function record() {
  return z.preprocess(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null) return value;
      for (const key of PROTOTYPE_KEYS) {
        if (Object.hasOwn(value, key)) ctx.issues.push({ code: 'custom', message: 'is not a known field (a prototype key)', input: value, path: [key] });
      }
      return value;
    },
    z.record(z.string(), z.unknown(), { error: expected('an object') }),
  );
}

/** "model[3].kernelSize"; a long unknown key is cut (a 1 MB key must not make a 1 MB message). */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      return i === 0 ? shown : `.${shown}`;
    })
    .join('');
}

function within(path: readonly PropertyKey[], parent: readonly PropertyKey[]): boolean {
  return parent.every((key, i) => path[i] === key);
}

/** zod's issues as the workbench's: one per unknown key, each object's unknown keys before its other problems. */
function issuesFrom(found: readonly z.core.$ZodIssue[]): Issue[] {
  let out: { at: readonly PropertyKey[]; issue: Issue }[] = [];
  for (const issue of found) {
    if (issue.code !== 'unrecognized_keys') {
      out.push({ at: issue.path, issue: { path: pathText(issue.path), message: issue.message } });
      continue;
    }
    const keys = issue.keys.map((key) => ({ at: [...issue.path, key], issue: { path: pathText([...issue.path, key]), message: issue.message } }));
    // zod reports unknown keys after the object's fields; a misspelt key is what explains a missing field, so first.
    // (Not splice(…, ...keys): a call's arguments are limited, and a 16 MB message can hold a million keys.)
    const first = out.findIndex((o) => within(o.at, issue.path));
    out = first === -1 ? [...out, ...keys] : [...out.slice(0, first), ...keys, ...out.slice(first)];
  }
  return out.map((o) => o.issue);
}

/** The parsed value, or a bad-input WorkbenchError naming every failing path (one line each). */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesFrom(result.error.issues);
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
  throw badInput(text, { path: issues[0].path, issues } satisfies IssueDetails);
}
