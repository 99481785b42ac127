// The Compare view's selection: each run once and in order, whatever the order and repeats it was picked in, and
// following the address (Back, a link) reloads only when it names other runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { installFakeBridge } from '../mocks/fake-bridge.js';

const bridge = installFakeBridge();
let ComparePage: typeof import('../../src/renderer/lib/compare.svelte.js').ComparePage;

beforeAll(async () => {
  ({ ComparePage } = await import('../../src/renderer/lib/compare.svelte.js'));
  bridge.handle('analysis:compare', (args) => ({ runs: (args as { runIds: number[] }).runIds.map((id) => ({ id })) }));
});

const asked = () => bridge.calls.filter((c) => c.name === 'analysis:compare').map((c) => (c.args as { runIds: number[] }).runIds);

describe('ComparePage selection', () => {
  it('compares each run once, in id order, and reloads only for another set of runs', async () => {
    const page = new ComparePage([]);
    await page.load();
    expect(asked()).toEqual([]);
    page.select([7, 3, 7, 1, 3]);
    expect(page.ids).toEqual([1, 3, 7]);
    page.show([3, 1, 7, 7]);
    page.show([12, 3]);
    await page.load();
    expect(asked()).toEqual([[1, 3, 7], [3, 12], [3, 12]]);
    expect(page.ids).toEqual([3, 12]);
  });
});
