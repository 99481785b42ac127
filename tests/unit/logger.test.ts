// The logger: scoped pino records into <home>/logs/<name>.N.log (JSON, stacks kept), stderr only from
// DIGIT_WORKBENCH_LOG's level (default warn) and in words, never stdout; unexpected call errors logged once with
// their stacks, expected ones (bad-input, not-found, conflict) not at all.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequire } from 'node:module';
import { createLogger, lightDateFns, startFileLogging, stderrLevel, stopFileLogging } from '../../src/core/logger.js';
import { logCallFailure } from '../../src/core/call-log.js';
import { recentLogRecords } from '../../src/core/log-files.js';
import { badInput, conflict, notFound, WorkbenchError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  stopFileLogging();
  vi.restoreAllMocks();
  dir?.remove();
});

const lines = (home: string, name: string) =>
  readFileSync(join(home, 'logs', name), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('logger', () => {
  it('writes scoped JSON lines with stacks to a rotating file, and only warn and up to stderr, in words', async () => {
    dir = tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');
    await startFileLogging({ home: dir.path, name: 'cli' });
    const log = createLogger('runs');
    log.debug('not kept');
    log.info('run 3 started', { runId: 3 });
    log.error('run 3 failed', new Error('disk on fire'));
    stopFileLogging();
    expect(readdirSync(join(dir.path, 'logs'))).toEqual(['cli.1.log']);
    const [info, error] = lines(dir.path, 'cli.1.log');
    expect(info).toMatchObject({ level: 30, scope: 'runs', msg: 'run 3 started', runId: 3, process: 'cli', pid: process.pid });
    expect(error).toMatchObject({ level: 50, scope: 'runs', msg: 'run 3 failed' });
    expect((error.err as { stack: string }).stack).toMatch(/^Error: disk on fire\n\s+at /);
    const said = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(said).not.toContain('run 3 started');
    expect(said).toMatch(/error runs: run 3 failed\n\s+Error: disk on fire/);
    expect(stdout).not.toHaveBeenCalled();
  });

  it('rolls to the next file past the size limit (pino-roll over the per-function date-fns modules)', async () => {
    dir = tempDir();
    await startFileLogging({ home: dir.path, name: 'serve', size: '1k' });
    const log = createLogger('rolls');
    for (let i = 0; i < 40; i++) {
      log.info(`record ${i} ${'x'.repeat(100)}`);
      // pino-roll checks the size as it writes and rolls on the next tick.
      await new Promise((r) => setImmediate(r));
    }
    stopFileLogging();
    const files = readdirSync(join(dir.path, 'logs')).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThan(2);
    const records = files.flatMap((f) => lines(dir!.path, f)).map((r) => r.msg as string);
    expect(records).toHaveLength(40);
    expect(new Set(records).size).toBe(40);
    // The date-fns functions pino-roll reads are date-fns' own, from its per-function modules.
    lightDateFns();
    const rollRequire = createRequire(createRequire(import.meta.url).resolve('pino-roll'));
    const fns = rollRequire('date-fns') as Record<string, (...a: unknown[]) => unknown>;
    expect(fns.format(new Date(2026, 10, 30, 7, 5), 'yyyy-MM-dd HH:mm')).toBe('2026-11-30 07:05');
    expect((fns.addDays(new Date(2026, 10, 30), 1) as Date).getDate()).toBe(1);
    expect(fns.isValid(new Date(Number.NaN))).toBe(false);
  });

  it('reads DIGIT_WORKBENCH_LOG for stderr, warn by default', () => {
    expect(stderrLevel({})).toBe('warn');
    expect(stderrLevel({ DIGIT_WORKBENCH_LOG: 'debug' })).toBe('debug');
    expect(stderrLevel({ DIGIT_WORKBENCH_LOG: 'loud' })).toBe('warn');
  });

  it('logs unexpected call failures with their stack, files only; expected ones not at all', async () => {
    dir = tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await startFileLogging({ home: dir.path, name: 'serve' });
    logCallFailure('runs:get', badInput('id: must be a whole number'));
    logCallFailure('runs:get', notFound('no run with id 9'));
    logCallFailure('runs:stop', conflict('run 1 is completed'));
    logCallFailure('runs:list', new TypeError('Cannot read properties of undefined'));
    logCallFailure('settings:get', new WorkbenchError('internal', 'the trainer is not built'));
    stopFileLogging();
    const records = recentLogRecords(dir.path, { max: 100 });
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      ['error', 'runs:list failed unexpectedly'],
      ['error', 'settings:get failed'],
    ]);
    expect(records[0].stack).toMatch(/^TypeError: Cannot read properties of undefined\n\s+at /);
    expect(stderr).not.toHaveBeenCalled(); // the caller shows the message; the stack is for the file
  });

  it('keeps working on stderr when the logs folder cannot be written', async () => {
    dir = tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'logs'), 'a file where the folder should be');
    expect(await startFileLogging({ home: dir.path, name: 'cli' })).toBeNull();
    createLogger('x').error('still heard');
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/cannot write logs in .*\n(.|\n)*still heard/);
  });
});
