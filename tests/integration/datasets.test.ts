// The store with its bundled sample, and dataset management through the contract on a real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
beforeEach(() => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path });
});
afterEach(() => {
  wb.close();
  dir.remove();
});

describe('a new data folder', () => {
  it('holds sample-train (8,000 labelled) and sample-test (2,000, answers known)', async () => {
    const list = await wb.call('datasets:list', undefined);
    expect(list.map((d) => [d.name, d.kind, d.rows, d.hasAnswers])).toEqual([
      ['sample-train', 'train', 8000, false],
      ['sample-test', 'test', 2000, true],
    ]);
    const train = await wb.call('datasets:get', { id: list[0].id });
    expect(train.classCounts!.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(Math.min(...train.classCounts!)).toBeGreaterThan(600);
  });

  it('splits the 10,000 real digits without overlap or loss', () => {
    const [train, test] = [loadDatasetArrays(wb.db, 1), loadDatasetArrays(wb.db, 2)];
    const digits = loadMnistDigits();
    const key = (px: Uint8Array, i: number) => Buffer.from(px.subarray(i * 784, (i + 1) * 784)).toString('base64');
    const all = new Set(Array.from({ length: digits.count }, (_, i) => key(digits.pixels, i)));
    const seen = new Set<string>();
    for (const set of [train, test]) for (let i = 0; i < set.rows; i++) seen.add(key(set.pixels, i));
    expect(seen.size).toBe(all.size);
    for (const k of seen) expect(all.has(k)).toBe(true);
  });

  it('does not bring back a deleted sample when reopened', async () => {
    await wb.call('datasets:delete', { id: 2 });
    wb.close();
    wb = new Workbench({ home: dir.path });
    expect((await wb.call('datasets:list', undefined)).map((d) => d.name)).toEqual(['sample-train']);
  });
});

describe('dataset management', () => {
  it('renames, refusing a taken name', async () => {
    const renamed = await wb.call('datasets:rename', { id: 1, name: 'mnist-8k' });
    expect(renamed.name).toBe('mnist-8k');
    await expect(wb.call('datasets:rename', { id: 2, name: 'mnist-8k' })).rejects.toThrow(/exists already/);
    await expect(wb.call('datasets:rename', { id: 99, name: 'x' })).rejects.toThrow(/no dataset with id 99/);
  });

  it('deletes a dataset with its images', async () => {
    await wb.call('datasets:delete', { id: 1 });
    expect(wb.db.prepare('SELECT COUNT(*) FROM images WHERE dataset_id = 1').pluck().get()).toBe(0);
    await expect(wb.call('datasets:get', { id: 1 })).rejects.toThrow(/no dataset with id 1/);
  });

  it('pages images and never sends a test set its answers', async () => {
    const page = await wb.call('datasets:images', { id: 1, offset: 10, limit: 5 });
    expect(page.total).toBe(8000);
    expect(page.images.map((i) => i.idx)).toEqual([10, 11, 12, 13, 14]);
    expect(Buffer.from(page.images[0].pixels, 'base64')).toHaveLength(784);
    const sevens = await wb.call('datasets:images', { id: 1, offset: 0, limit: 20, label: 7 });
    expect(sevens.images.every((i) => i.label === 7)).toBe(true);
    const test = await wb.call('datasets:images', { id: 2, offset: 0, limit: 3 });
    expect(test.images.map((i) => i.label)).toEqual([null, null, null]);
  });

  it('rejects malformed arguments with the field named', async () => {
    await expect(wb.call('datasets:get', { id: -1 })).rejects.toThrow(/^id: must be an integer from 1/);
    await expect(wb.call('datasets:rename', { id: 1, name: '' })).rejects.toThrow(/^name: must be a name/);
    await expect(wb.call('datasets:images', { id: 1, offset: 0, limit: 10, extra: 1 })).rejects.toThrow(/extra: is not a known field/);
    await expect(wb.call('datasets:list', 'x')).rejects.toThrow(/takes no arguments/);
  });
});
