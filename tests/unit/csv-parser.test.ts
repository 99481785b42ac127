// The Kaggle CSV parser on real files: every malformed case is rejected at its exact line and column, valid
// files (train, test, CRLF, BOM, with or without a final newline) parse exactly, and bad input stays bounded.

import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKaggleCsv, type ParsedCsv } from '../../src/core/datasets/csv-parser.js';
import { kaggleCsvHeader, shiftedDigits, writeKaggleCsv } from '../../src/core/datasets/kaggle-csv.js';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { WorkbenchError } from '../../src/shared/errors.js';
import { malformedCases } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('dw-csv-');
});
afterAll(() => dir.remove());

let fileCount = 0;
function write(content: string | Uint8Array): string {
  const file = join(dir.path, `f${fileCount++}.csv`);
  writeFileSync(file, content);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<WorkbenchError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbenchError);
  return err as WorkbenchError;
}

describe('malformed files', () => {
  it('has a corpus of at least 30 cases', () => expect(malformedCases.length).toBeGreaterThanOrEqual(30));

  for (const c of malformedCases) {
    it(`rejects ${c.name} at ${c.line}:${c.column}`, async () => {
      const err = await failure(parseKaggleCsv(write(c.content), { kind: c.kind, displayName: 'case.csv' }));
      expect(err.code).toBe('bad-input');
      const prefix = `case.csv:${c.line}:${c.column}: `;
      expect(err.message.slice(0, prefix.length)).toBe(prefix);
      expect(err.message.slice(prefix.length)).toMatch(c.message);
      expect(err.details).toEqual({ file: 'case.csv', line: c.line, column: c.column });
    });
  }

  it('names the file by its path when no display name is given', async () => {
    const file = write('label\n');
    const err = await failure(parseKaggleCsv(file));
    expect(err.message).toBe(`${file}:1:2: the header stops after 1 field; expected 785 fields (label + 784 pixels)`);
  });

  it('rejects a missing file and a directory, naming them', async () => {
    const missing = await failure(parseKaggleCsv(join(dir.path, 'nope.csv'), { displayName: 'nope.csv' }));
    expect([missing.code, missing.message]).toEqual(['bad-input', 'nope.csv: cannot open the file (no such file)']);
    const folder = await failure(parseKaggleCsv(dir.path, { displayName: 'data' }));
    expect([folder.code, folder.message]).toEqual(['bad-input', 'data: not a regular file']);
  });
});

const PIXELS = 784;
const rowText = (labels: Uint8Array | null, pixels: Uint8Array, r: number) =>
  [...(labels ? [labels[r]] : []), ...pixels.subarray(r * PIXELS, (r + 1) * PIXELS)].join(',');

function csv(pixels: Uint8Array, labels: Uint8Array | null, eol = '\n', final = true): string {
  const lines = [kaggleCsvHeader(labels ? 'train' : 'test')];
  for (let r = 0; r < pixels.length / PIXELS; r++) lines.push(rowText(labels, pixels, r));
  return lines.join(eol) + (final ? eol : '');
}

function expectParsed(got: ParsedCsv, pixels: Uint8Array, labels: Uint8Array | null) {
  expect(got.kind).toBe(labels ? 'train' : 'test');
  expect(got.rows).toBe(pixels.length / PIXELS);
  expect(got.pixels.length).toBe(pixels.length);
  expect(got.pixels.byteLength).toBe(pixels.length);
  expect(Buffer.from(got.pixels).equals(Buffer.from(pixels))).toBe(true);
  expect(got.labels === null ? null : Array.from(got.labels)).toEqual(labels === null ? null : Array.from(labels));
}

describe('valid files', () => {
  const digits = shiftedDigits(loadMnistDigits(), 5, 7);
  const extremes = new Uint8Array(4 * PIXELS);
  extremes.fill(255, PIXELS, 2 * PIXELS).fill(255, 3 * PIXELS); // rows of all 0, all 255, 0, 255
  const extremeLabels = Uint8Array.from([0, 9, 9, 0]);
  const variants: [string, (p: Uint8Array, l: Uint8Array | null) => string][] = [
    ['LF with a final newline', (p, l) => csv(p, l)],
    ['LF without a final newline', (p, l) => csv(p, l, '\n', false)],
    ['CRLF with a final newline', (p, l) => csv(p, l, '\r\n')],
    ['CRLF without a final newline', (p, l) => csv(p, l, '\r\n', false)],
    ['a UTF-8 byte-order mark', (p, l) => `\ufeff${csv(p, l)}`],
    ['a BOM and CRLF', (p, l) => `\ufeff${csv(p, l, '\r\n')}`],
  ];

  for (const [name, make] of variants) {
    it(`parses train and test files with ${name}`, async () => {
      for (const [pixels, labels] of [
        [digits.pixels, digits.labels],
        [digits.pixels, null],
        [extremes, extremeLabels],
        [extremes, null],
      ] as const) {
        const text = make(pixels, labels);
        const got = await parseKaggleCsv(write(text));
        expectParsed(got, pixels, labels);
        expect(got.sha256).toBe(createHash('sha256').update(text).digest('hex'));
        expect(got.bytes).toBe(Buffer.byteLength(text));
      }
    });
  }

  it('accepts leading zeros up to 3 digits and the expected kind', async () => {
    const text = `${kaggleCsvHeader('train')}\n007,${Array(PIXELS).fill('00').join(',')}\n`;
    const got = await parseKaggleCsv(write(text), { kind: 'train' });
    expectParsed(got, new Uint8Array(PIXELS), Uint8Array.of(7));
  });

  it('reports progress up to the total size', async () => {
    const big = shiftedDigits(loadMnistDigits(), 1500, 3); // ~2.7 MB: three reads
    const file = join(dir.path, 'progress.csv');
    await writeKaggleCsv(file, { pixels: big.pixels, labels: big.labels });
    const calls: [number, number][] = [];
    const got = await parseKaggleCsv(file, { onProgress: (read, total) => calls.push([read, total]) });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every(([read, total], k) => total === got.bytes && (k === 0 || read > calls[k - 1][0]))).toBe(true);
    expect(calls.at(-1)).toEqual([got.bytes, got.bytes]);
    expect(got.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(parseKaggleCsv(write(csv(digits.pixels, digits.labels)), { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describe('chunk boundaries (1 MiB reads)', () => {
  const MIB = 1 << 20;
  // Zero rows whose first row is padded with leading zeros ("00", "000") so that the `at`-th byte of the
  // file is the CR of some row's CRLF: the CR and its LF then arrive in different reads.
  function crAt(at: number, breakIt: boolean): { text: string; rows: number } {
    const header = `${kaggleCsvHeader('train')}\r\n`;
    const plain = Array(785).fill('0').join(',');
    const rowLen = plain.length + 2;
    const pad = (((at - header.length - plain.length) % rowLen) + rowLen) % rowLen;
    const fields = Array(785).fill('0').map((f, k) => (k < pad >> 1 ? '000' : k === pad >> 1 && pad % 2 ? '00' : f));
    const rows = [fields.join(','), ...Array(Math.ceil(at / rowLen) + 2).fill(plain)];
    let text = header + rows.join('\r\n') + '\r\n';
    expect(text[at]).toBe('\r');
    if (breakIt) text = `${text.slice(0, at + 1)}5${text.slice(at + 2)}`;
    return { text, rows: rows.length };
  }

  it('joins a CRLF split across two reads', async () => {
    const { text, rows } = crAt(MIB - 1, false);
    const got = await parseKaggleCsv(write(text));
    expect(got.rows).toBe(rows);
    expect(got.pixels.every((v) => v === 0)).toBe(true);
  });

  it('rejects a lone CR at the end of a read', async () => {
    const { text } = crAt(MIB - 1, true);
    const line = text.slice(0, MIB).split('\n').length;
    const err = await failure(parseKaggleCsv(write(text), { displayName: 't.csv' }));
    expect(err.message).toMatch(new RegExp(`^t\\.csv:${line}:785: a carriage return`));
  });
});

describe('bounded memory on a 200 MB single line', () => {
  async function writeLine(file: string, first: string, block: string, size: number) {
    const out = createWriteStream(file);
    out.write(first);
    const chunk = block.repeat(Math.ceil((1 << 20) / block.length));
    for (let written = first.length; written < size; written += chunk.length) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }

  const cases = [
    { name: 'a header that never ends', first: kaggleCsvHeader('train'), block: ',pixel', column: 786, message: /header has more than 785 fields/ },
    { name: 'one 200 MB field of digits', first: '', block: '1234567890', column: 1, message: /not a Kaggle CSV: .*; this file starts with a number: is the header line missing\?$/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} after reading only its start`, async () => {
      const file = join(dir.path, 'line.csv');
      await writeLine(file, c.first, c.block, 200e6);
      const rss = process.memoryUsage().rss;
      let read = 0;
      const err = await failure(parseKaggleCsv(file, { displayName: 'line.csv', onProgress: (n) => (read = n) }));
      const grown = process.memoryUsage().rss - rss;
      rmSync(file);
      expect(err.message).toMatch(new RegExp(`^line\\.csv:1:${c.column}: `));
      expect(err.message).toMatch(c.message);
      expect(read).toBeLessThanOrEqual(2 << 20);
      expect(grown).toBeLessThan(100e6);
    });
  }
});

describe('real digits', () => {
  it('round-trip through writeKaggleCsv as train.csv and test.csv', async () => {
    const digits = loadMnistDigits();
    for (const labels of [digits.labels, null]) {
      const file = join(dir.path, labels ? 'train.csv' : 'test.csv');
      await writeKaggleCsv(file, { pixels: digits.pixels, labels });
      expectParsed(await parseKaggleCsv(file), digits.pixels, labels);
    }
  });

  it('shiftedDigits is seeded, keeps labels and ink, and with maxShift 0 copies real digits', () => {
    const src = loadMnistDigits();
    const a = shiftedDigits(src, 200, 42);
    expect(Buffer.from(a.pixels).equals(Buffer.from(shiftedDigits(src, 200, 42).pixels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(shiftedDigits(src, 200, 43).pixels))).toBe(false);
    const same = shiftedDigits(src, 50, 1, 0);
    const originals = new Set(Array.from({ length: src.count }, (_, i) => Buffer.from(src.pixels.subarray(i * PIXELS, (i + 1) * PIXELS)).toString('base64')));
    for (let i = 0; i < same.count; i++) expect(originals.has(Buffer.from(same.pixels.subarray(i * PIXELS, (i + 1) * PIXELS)).toString('base64'))).toBe(true);
    for (let i = 0; i < a.count; i++) expect(a.pixels.subarray(i * PIXELS, (i + 1) * PIXELS).some((v) => v > 128)).toBe(true);
  });
});
