// Atomic folder writes on a real temp folder: a replaced folder loses only the files the app wrote, even when a
// file of the user's appears between the check and the swap (the old folder is then kept aside, never emptied).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFolderAtomic } from '../../src/core/fs-atomic.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe('writeFolderAtomic', () => {
  it('refuses to replace anything when no ownership check is given, force or not', () => {
    const out = join(dir.path, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'a.txt'), 'mine');
    expect(() => writeFolderAtomic(out, { 'a.txt': 'new' }, { force: true })).toThrow(`${out} exists already and only what Digit Workbench wrote is replaced`);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('mine');
  });

  it('keeps a file of the user’s that appeared after the check: the old folder stays aside with it', () => {
    const out = join(dir.path, 'out');
    writeFolderAtomic(out, { 'a.bin': 'old' });
    let checks = 0;
    // The second check passes and then the user saves a file into the folder: the race the swap must survive.
    const ours = (target: string) => {
      if (++checks === 1) writeFileSync(join(target, 'late.txt'), 'written meanwhile');
      expect(readdirSync(target)).toContain('a.bin');
    };
    writeFolderAtomic(out, { 'a.bin': 'new' }, { force: true, ours: () => undefined });
    expect(readFileSync(join(out, 'a.bin'), 'utf8')).toBe('new');
    writeFolderAtomic(out, { 'a.bin': 'newer' }, { force: true, ours });
    expect(readFileSync(join(out, 'a.bin'), 'utf8')).toBe('newer');
    const aside = readdirSync(dir.path).filter((n) => n.endsWith('.old'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(dir.path, aside[0]))).toEqual(['late.txt']);
    expect(readFileSync(join(dir.path, aside[0], 'late.txt'), 'utf8')).toBe('written meanwhile');
    expect(readdirSync(dir.path).sort()).toEqual(['out', aside[0]].sort());
  });
});
