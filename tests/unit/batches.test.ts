// Epoch order, the seed notebook's split, and augmentation.
import { describe, expect, it } from 'vitest';
import { augmentInto, epochOrder } from '../../src/trainer/batches.js';
import { splitIndices } from '../../src/core/training/split.js';
import { mulberry32 } from '../../src/shared/random.js';

describe('epochOrder', () => {
  const indices = Int32Array.from({ length: 1000 }, (_, i) => i);

  it('is a permutation that changes every epoch and repeats for the same seed and epoch', () => {
    for (const buffer of [100, null]) {
      const a = epochOrder(indices, buffer, 1, 1);
      expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from(indices));
      expect(Array.from(epochOrder(indices, buffer, 1, 1))).toEqual(Array.from(a));
      expect(Array.from(epochOrder(indices, buffer, 1, 2))).not.toEqual(Array.from(a));
    }
  });

  it('with a buffer of 100, like tf.data shuffle(100), never moves an image more than ~100 places earlier', () => {
    const order = epochOrder(indices, 100, 3, 1);
    order.forEach((src, pos) => expect(src).toBeLessThanOrEqual(pos + 100));
  });
});

describe('splitIndices', () => {
  const labels = Uint8Array.from({ length: 42000 }, (_, i) => i % 10);

  it('tail: the last 10% as validation, in file order (the notebook: head 37,800 / tail 4,200)', () => {
    const s = splitIndices(labels, { mode: 'tail', ratio: 0.1, seed: 1 });
    expect(s.train.length).toBe(37800);
    expect(s.val[0]).toBe(37800);
    expect(s.val[s.val.length - 1]).toBe(41999);
  });

  it('stratified: the ratio from every class, seeded', () => {
    const s = splitIndices(labels, { mode: 'stratified', ratio: 0.1, seed: 1 });
    expect(s.val.length).toBe(4200);
    const perClass = new Array(10).fill(0);
    s.val.forEach((i) => perClass[labels[i]]++);
    expect(perClass).toEqual(new Array(10).fill(420));
    expect(new Set([...s.train, ...s.val]).size).toBe(42000);
    expect(Array.from(splitIndices(labels, { mode: 'stratified', ratio: 0.1, seed: 2 }).val)).not.toEqual(Array.from(s.val));
  });
});

describe('augmentInto', () => {
  it('with zero ranges reproduces the scaled image; with ranges moves the ink but keeps most of it', () => {
    const image = new Uint8Array(784);
    for (let y = 8; y < 20; y++) for (let x = 12; x < 16; x++) image[y * 28 + x] = 255;
    const same = new Float32Array(784);
    augmentInto(image, same, { rotation: 0, zoom: 0, shift: 0 }, mulberry32(1));
    expect(Array.from(same)).toEqual(Array.from(image, (v) => v / 255));
    const moved = new Float32Array(784);
    augmentInto(image, moved, { rotation: 10, zoom: 0.1, shift: 0.1 }, mulberry32(1));
    const ink = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    expect(Array.from(moved)).not.toEqual(Array.from(same));
    expect(ink(moved) / ink(same)).toBeGreaterThan(0.7);
    expect(ink(moved) / ink(same)).toBeLessThan(1.3);
  });
});
