// Bad arguments to every contract method: wrong types, missing and extra fields, 1 MB strings, negative and unknown
// ids, relative / traversing / NUL paths. Each call fails with a short WorkbenchError (bad-input, not-found,
// conflict or io), nothing crashes, no row changes and no file appears anywhere near the data folder.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { contract, parseArgs, type MethodName } from '../../src/shared/contract.js';
import { WorkbenchError } from '../../src/shared/errors.js';
import { writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';

let base: ReturnType<typeof tempDir>;
let home: string;
let cwd: string;
let wb: Workbench;
let trainId: number;
let testId: number;
let runId: number;
const originalCwd = process.cwd();

beforeAll(async () => {
  base = tempDir('dw-args-');
  home = join(base.path, 'home');
  cwd = join(base.path, 'cwd');
  mkdirSync(cwd);
  wb = new Workbench({ home, sample: false, backend: 'wasm', workers: 1 });
  trainId = await importSmallTrainSet(wb, base.path, 300);
  const testCsv = join(base.path, 'test.csv');
  await writeKaggleCsv(testCsv, { pixels: new Uint8Array(20 * 784).fill(3), labels: null });
  testId = (await wb.importDataset({ path: testCsv })).dataset.id;
  [{ id: runId }] = await wb.call('runs:start', { datasetId: trainId, preset: 'seed-lenet5', hyperparams: { epochs: 1 } });
  expect(await wb.runs.waitFor(runId)).toBe('completed');
  // Relative paths resolve against the process's folder: make it one we watch.
  process.chdir(cwd);
});
afterAll(() => {
  process.chdir(originalCwd);
  wb.close();
  base.remove();
});

const MB = 'x'.repeat(1 << 20);
const pixels = Buffer.alloc(784, 9).toString('base64');

/** One valid call per method; every case below breaks exactly one thing about it. */
const valid = (): Record<MethodName, unknown> => ({
  'app:info': undefined,
  'datasets:list': undefined,
  'datasets:get': { id: trainId },
  'datasets:import': { path: join(base.path, 'small-300-7.csv'), name: 'again', kind: 'train' },
  'datasets:rename': { id: trainId, name: 'renamed' },
  'datasets:delete': { id: testId },
  'datasets:images': { id: trainId, offset: 0, limit: 10, label: 3 },
  'datasets:version': { id: trainId, relabels: [{ row: 1, label: 0 }], excludes: [2] },
  'labels:start': { datasetId: trainId, preset: 'seed-lenet5', folds: 2, epochs: 1 },
  'labels:jobs': undefined,
  'labels:issues': { key: 'label-issues-x' },
  'presets:list': undefined,
  'runs:preview': { preset: 'seed-lenet5', hyperparams: { epochs: 2 } },
  'runs:start': { datasetId: trainId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, seeds: [1] },
  'runs:lr-find': { datasetId: trainId, preset: 'seed-lenet5', hyperparams: { epochs: 1 }, steps: 10 },
  'runs:list': undefined,
  'runs:get': { id: runId },
  'runs:stop': { id: runId },
  'runs:resume': { id: runId },
  'runs:delete': { id: runId },
  'runs:update': { id: runId, notes: 'n', tags: ['t'] },
  'runs:log': { id: runId, offset: 0 },
  'runs:export-model': { id: runId, out: join(base.path, 'model'), weights: 'best', force: false },
  'submissions:export': { runIds: [runId], datasetId: testId, weights: 'best', tta: false, out: join(base.path, 'sub.csv'), force: false },
  'submissions:check': { runIds: [runId], datasetId: testId },
  'submissions:list': undefined,
  'submissions:score': { id: 1, score: 0.5 },
  'predict:image': { runId, weights: 'best', pixels },
  'analysis:confusion': { id: runId },
  'analysis:digits': { id: runId, trueClass: 1, predictedClass: 2, offset: 0, limit: 10 },
  'analysis:diff': { runA: runId, runB: runId },
  'analysis:compare': { runIds: [runId] },
  'analysis:ensemble': { runIds: [runId] },
  'analysis:explain': { runId, weights: 'best', datasetId: trainId, idx: 0, cls: 1 },
  'analysis:augment': { runId, datasetId: trainId, idx: 0, count: 2, seed: 1 },
  'embedding:get': { id: runId, neighbors: 5, seed: 1 },
  'embedding:compute': { id: runId, neighbors: 5, seed: 1 },
  'desktop:open-file': { purpose: 'import-csv' },
  'desktop:save-file': { purpose: 'submission', defaultName: 'submission.csv' },
  'desktop:open-logs': undefined,
  'sweeps:start': {
    datasetId: trainId,
    preset: 'seed-lenet5',
    hyperparams: { epochs: 2 },
    params: ['learningRate=0.001,0.002'],
    trials: 2,
    search: 'grid',
    prune: { minResource: 1, reductionFactor: 2 },
    seed: 1,
  },
  'sweeps:list': undefined,
  'sweeps:get': { id: 1 },
  'sweeps:stop': { id: 1 },
  'sweeps:resume': { id: 1 },
  'settings:get': undefined,
  'settings:backends': undefined,
  'workers:status': undefined,
  'workers:url': undefined,
  // Port 1: nothing listens; a URL that parses must still fail (connection refused) and save nothing.
  'workers:set-url': { url: 'redis://:pw@127.0.0.1:1' },
  'workers:clear-url': undefined,
  'settings:set': { backend: 'wasm', concurrency: 1 },
  'autopilot:plan': { datasetId: trainId, testDatasetId: testId, budgetSeconds: 900, target: 'local' },
  'autopilot:start': { datasetId: trainId, testDatasetId: testId, budgetSeconds: 900, target: 'local' },
  'autopilot:list': undefined,
  'autopilot:get': { id: 1 },
  'autopilot:stop': { id: 1 },
  'autopilot:resume': { id: 1 },
});

const PATH_FIELDS = new Set(['path', 'out']);
const ID_FIELDS = new Set(['id', 'datasetId', 'runId', 'runA', 'runB']);

function badPaths(field: string): unknown[] {
  const ext = field === 'out' ? 'sub.csv' : 'x.csv';
  return [
    '',
    ext, // relative
    `./${ext}`,
    `../${ext}`,
    `../../../../../../etc/passwd`,
    `${home}/../../${ext}`,
    `${home}/../${ext}`,
    `${base.path}//${ext}`,
    join(base.path, `a\0b-${ext}`),
    `\0`,
    `/${MB}`,
    home, // a folder, not a file (import) / exists already (export)
  ];
}

/** Values of the wrong type (or out of range) for a field whose valid value is `v`. */
function wrongValues(field: string, v: unknown): unknown[] {
  const common = [null, true, [], { a: 1 }];
  if (typeof v === 'number') {
    const ids = ID_FIELDS.has(field) ? [0, -1, -(2 ** 31), 999_999, 2 ** 31] : [];
    return [...common, '1', MB, NaN, Infinity, -Infinity, -1, 1.5, 2 ** 53, Number.MAX_VALUE, ...ids];
  }
  if (typeof v === 'string') {
    const special = PATH_FIELDS.has(field) ? badPaths(field) : field === 'pixels' ? ['!'.repeat(1044), 'A'.repeat(1048)] : field === 'notes' ? [] : ['', ' '];
    return [...common, 1, MB, ...special];
  }
  if (typeof v === 'boolean') return [null, [], { a: 1 }, 'true', 1, MB];
  if (Array.isArray(v)) return [null, 1, MB, { 0: v[0] }, [MB], [null], Array.from({ length: 10_001 }, () => v[0]), ...(field === 'runIds' ? [[999_999], [-1]] : [])];
  // hyperparams: an object validated by the core against the preset
  return [null, [], 1, MB, { epochs: -1 }, { epochs: MB }, { epochs: 1e9 }, { bogus: 1 }, { model: MB }, { model: [{ type: 'dense', units: -5 }] }, { validation: { ratio: 2 } }];
}

interface Case {
  method: MethodName;
  what: string;
  args: unknown;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const method of Object.keys(contract) as MethodName[]) {
    const ok = valid()[method];
    const add = (what: string, args: unknown) => out.push({ method, what, args });
    for (const wrong of [42, 'x', true, MB, [1]]) add(`args ${JSON.stringify(wrong).slice(0, 20)}`, wrong);
    if (ok === undefined) {
      add('an extra field', { extra: 1 });
      continue;
    }
    const fields = ok as Record<string, unknown>;
    add('an extra field', { ...fields, extra: 1 });
    for (const [field, value] of Object.entries(fields)) {
      const { [field]: _dropped, ...rest } = fields;
      let required = true;
      try {
        parseArgs(method, rest);
        required = false;
      } catch {
        // required: leaving it out must fail
      }
      if (required) add(`${field} missing`, rest);
      for (const wrong of wrongValues(field, value)) {
        const shown = typeof wrong === 'string' && wrong.length > 40 ? `a ${wrong.length}-character string` : JSON.stringify(wrong)?.slice(0, 60);
        add(`${field} = ${shown}`, { ...fields, [field]: wrong });
      }
    }
  }
  return out;
}

/** Every file and folder under the temp base except the database itself. */
function tree(dir = base.path): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (/^workbench\.db(-wal|-shm)?$/.test(name)) return [];
    return statSync(path).isDirectory() ? [`${relative(base.path, path)}/`, ...tree(path)] : [relative(base.path, path)];
  });
}

function state() {
  const tables = wb.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  return {
    rows: Object.fromEntries(tables.map((t) => [t, wb.db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get()])),
    runs: wb.db.prepare('SELECT id, status, notes, tags FROM runs').all(),
    datasets: wb.db.prepare('SELECT id, name FROM datasets').all(),
    settings: wb.db.prepare('SELECT * FROM settings ORDER BY key').all(),
    files: tree(),
  };
}

describe('malformed arguments to every contract method', () => {
  it('covers every method of the contract', () => {
    expect(Object.keys(valid()).sort()).toEqual(Object.keys(contract).sort());
  });

  it('fail with a short WorkbenchError naming the problem, and change nothing', async () => {
    writeFileSync(join(base.path, 'sentinel'), '');
    const before = state();
    const all = cases();
    expect(all.length).toBeGreaterThan(500);
    const failures: string[] = [];
    const codes = new Map<string, number>();
    for (const c of all) {
      const label = `${c.method} with ${c.what}`;
      let err: unknown = null;
      try {
        await wb.call(c.method, c.args);
        failures.push(`${label}: succeeded`);
        continue;
      } catch (e) {
        err = e;
      }
      if (!(err instanceof WorkbenchError)) {
        failures.push(`${label}: ${(err as Error)?.constructor?.name} ${String((err as Error)?.message).slice(0, 200)}`);
        continue;
      }
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      if (!['bad-input', 'not-found', 'conflict', 'io'].includes(err.code)) failures.push(`${label}: code ${err.code}: ${err.message.slice(0, 200)}`);
      else if (err.message.length < 8 || err.message.length > 400) failures.push(`${label}: message of ${err.message.length} characters: ${err.message.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(state()).toEqual(before);
    expect(readdirSync(cwd)).toEqual([]);
    // All four codes occur: the cases reach past the schemas into the core.
    expect([...codes.keys()].sort()).toEqual(['bad-input', 'conflict', 'not-found']);
  });

  it('a "__proto__" field pollutes nothing', async () => {
    const before = state();
    for (const method of Object.keys(contract) as MethodName[]) {
      await wb.call(method, JSON.parse(`{"__proto__":{"polluted":1},"id":${MB.length}}`)).catch(() => undefined);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(state()).toEqual(before);
  });

  // Through the whole call, not only the schema (tests/unit/contract-validation.test.ts): a long unknown key is cut
  // in the message, and prototype keys are unknown fields, never taken for known ones.
  it('a 1 MB unknown field name gives a short message', async () => {
    const err = await wb.call('runs:get', { id: runId, [MB]: 1 }).catch((e: Error) => e);
    expect((err as Error).message.length).toBeLessThan(400);
  });
  it('"__proto__" and "constructor" are refused as unknown fields', async () => {
    await expect(wb.call('settings:set', JSON.parse('{"__proto__":{}}'))).rejects.toThrow(/not a known field/);
    await expect(wb.call('runs:get', { id: runId, constructor: 1 })).rejects.toThrow(/not a known field/);
  });
});
