// Import through the real store: every malformed file is rejected with FILE:LINE:COLUMN and adds nothing;
// a good file lands whole; the same bytes again give the existing dataset.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { malformedCases, csvText, rowFields } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
beforeAll(() => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path });
});
afterAll(() => {
  wb.close();
  dir.remove();
});

const counts = () => ({
  datasets: wb.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get(),
  images: wb.db.prepare('SELECT COUNT(*) FROM images').pluck().get(),
});

describe('importing a malformed CSV', () => {
  it('has at least 25 cases', () => expect(malformedCases.length).toBeGreaterThanOrEqual(25));

  it.each(malformedCases.map((c, i) => [c.name, i] as const))('%s → FILE:LINE:COLUMN and zero rows added', async (_name, i) => {
    const c = malformedCases[i];
    const file = join(dir.path, `bad-${i}.csv`);
    writeFileSync(file, c.content);
    const before = counts();
    const err = await wb.importDataset({ path: file, kind: c.kind }).then(
      () => null,
      (e: unknown) => e as Error & { details?: { line: number; column: number } },
    );
    expect(err, 'the file was accepted').not.toBeNull();
    expect(err!.message.startsWith(`${file}:${c.line}:${c.column}: `), err!.message).toBe(true);
    expect(err!.message).toMatch(c.message);
    expect(counts()).toEqual(before);
  });
});

describe('importing a good CSV', () => {
  it('stores every row and returns the existing dataset for the same bytes', async () => {
    const file = join(dir.path, 'train.csv');
    writeFileSync(file, csvText('train', [0, 1, 2].map((n) => rowFields('train', n).join(','))));
    const first = await wb.importDataset({ path: file });
    expect(first.existing).toBe(false);
    expect(first.dataset).toMatchObject({ name: 'train', kind: 'train', rows: 3 });
    const again = await wb.importDataset({ path: file, name: 'other' });
    expect(again).toEqual({ dataset: first.dataset, existing: true });
    const page = await wb.call('datasets:images', { id: first.dataset.id, offset: 0, limit: 10 });
    expect(page.images.map((im) => im.label)).toEqual([0, 1, 2]);
    expect(Array.from(Buffer.from(page.images[1].pixels, 'base64'))).toEqual(rowFields('train', 1).slice(1).map(Number));
  });

  it('detects a test.csv and names datasets uniquely', async () => {
    const file = join(dir.path, 'sub', 'test.csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir.path, 'sub'));
    writeFileSync(file, csvText('test', [rowFields('test', 4).join(',')]));
    const r = await wb.importDataset({ path: file });
    expect(r.dataset).toMatchObject({ kind: 'test', rows: 1, name: 'test' });
    await expect(wb.importDataset({ path: join(dir.path, 'nope.csv') })).rejects.toThrow(/nope\.csv/);
  });
});
