// Counts read as English: "1 file", "2 files", "1,000 images".
import { describe, expect, it } from 'vitest';
import { count } from '../../src/renderer/lib/format.js';

describe('count', () => {
  it('puts the noun in the right number', () => {
    expect(count(1, 'file')).toBe('1 file');
    expect(count(0, 'file')).toBe('0 files');
    expect(count(2000, 'train image')).toBe('2,000 train images');
    expect(count(3, 'match', 'matches')).toBe('3 matches');
  });
});
