// The serve API's JSON Schema (docs/contract.schema.json, written by the build): one call per contract method with
// the contract's own bounds and strictness, usable as is by a JSON Schema validator (here zod's own reader), and the
// file the build wrote is the one the contract gives. Needs `npm run build` (npm test runs it) for the last part.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { contractJsonSchema } from '../../src/core/contract-schema.js';
import { contract, parseArgs, type MethodName } from '../../src/shared/contract.js';
import { tempDir } from '../helpers/temp-home.js';

type Json = Record<string, any>;
const doc = contractJsonSchema() as Json;
const calls = doc.$defs.call.anyOf as Json[];
const callOf = (method: string) => calls.find((c) => c.properties.method.const === method)!;

describe('the serve API’s JSON Schema', () => {
  it('has one call per contract method, strict like the contract', () => {
    expect(calls.map((c) => c.properties.method.const).sort()).toEqual(Object.keys(contract).sort());
    const get = callOf('datasets:get');
    expect(get.properties.args).toEqual({
      type: 'object',
      properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
      required: ['id'],
      additionalProperties: false,
    });
    expect(get.required).toEqual(['id', 'method', 'args']);
    // A method without arguments may leave them out.
    expect(callOf('runs:list').required).toEqual(['id', 'method']);
    expect(callOf('submissions:export').description).toMatch(/^Refused over serve mode \(it names files on the server: out\); download the submission/);
    expect(callOf('desktop:save-file').description).toMatch(/^Desktop app only/);
    expect(doc.$defs.hyperparams.properties.epochs).toEqual({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(doc.$defs.error.properties.code.enum).toContain('bad-input');
  });

  it('accepts and refuses calls as the contract does', () => {
    const validator = z.fromJSONSchema(doc as Parameters<typeof z.fromJSONSchema>[0]);
    const samples: [MethodName, unknown][] = [
      ['datasets:get', { id: 3 }],
      ['datasets:get', { id: 0 }],
      ['datasets:get', { id: 3, extra: 1 }],
      ['datasets:rename', { id: 1, name: ' ' }],
      ['runs:list', undefined],
      ['runs:list', { a: 1 }],
      ['runs:start', { datasetId: 1, preset: 'dnn', seeds: [1, 2], target: 'pool' }],
      ['runs:start', { datasetId: 1, preset: 'dnn', seeds: [], target: 'gpu' }],
      ['submissions:score', { id: 1, score: null }],
      ['submissions:score', { id: 1, score: 2 }],
      ['sweeps:start', { datasetId: 1, preset: 'dnn', params: ['learningRate=0.1,0.2'], search: 'tpe', prune: { minResource: 1, reductionFactor: 3 } }],
      ['sweeps:start', { datasetId: 1, preset: 'dnn', params: ['learningRate=0.1,0.2'], search: 'tpe', prune: { minResource: 1 } }],
    ];
    const verdicts = samples.map(([method, args]) => {
      const call = args === undefined ? { id: 1, method } : { id: 1, method, args };
      let contractOk = true;
      try {
        parseArgs(method, args);
      } catch {
        contractOk = false;
      }
      return { method, args, contractOk, schemaOk: validator.safeParse(call).success };
    });
    expect(verdicts.filter((v) => v.contractOk !== v.schemaOk)).toEqual([]);
    expect(verdicts.filter((v) => v.contractOk)).toHaveLength(5);
  });

  it('is what the build wrote to docs/contract.schema.json', () => {
    const expected = `${JSON.stringify(doc, null, 2)}\n`;
    const dir = tempDir('dw-contract-schema-');
    try {
      const out = join(dir.path, 'contract.schema.json');
      execFileSync(process.execPath, ['scripts/contract-schema.js', out]);
      expect(readFileSync(out, 'utf8')).toBe(expected);
    } finally {
      dir.remove();
    }
    const built = join('docs', 'contract.schema.json');
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build`);
    expect(readFileSync(built, 'utf8')).toBe(expected);
  });
});
