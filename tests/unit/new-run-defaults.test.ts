// New run and Export open on the user's latest choices and data, not on the bundled samples: the last started
// preset and hyperparameters, the training set last used (a newer import or dataset version is offered by name,
// never switched to), the newest imported test set.
import { beforeAll, describe, expect, it } from 'vitest';
import { presets, resolveHyperparams } from '../../src/core/training/presets.js';
import { previewRun } from '../../src/core/training/start.js';
import type { DatasetInfo } from '../../src/shared/types.js';
import { choiceOf, newerDataset, pickDataset } from '../../src/renderer/lib/prefs.js';
import type { KeyValueStore } from '../../src/renderer/lib/selections.js';
import { installFakeBridge } from '../mocks/fake-bridge.js';

const bridge = installFakeBridge();
let NewRun: typeof import('../../src/renderer/lib/new-run.svelte.js').NewRun;

beforeAll(async () => {
  ({ NewRun } = await import('../../src/renderer/lib/new-run.svelte.js'));
  bridge.handle('presets:list', () => Object.values(presets));
  bridge.handle('runs:preview', (args) => {
    const { preset, hyperparams } = args as { preset: string; hyperparams: Record<string, unknown> };
    return { summary: previewRun(preset, hyperparams).summary };
  });
  bridge.handle('runs:start', () => [{ id: 1 }]);
});

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const ds = (id: number, kind: DatasetInfo['kind'], source: string): DatasetInfo => ({
  id, name: `d${id}`, kind, rows: 100, sha256: String(id), source, hasAnswers: source === 'sample', createdAt: '',
});

describe('pickDataset', () => {
  const list = [ds(1, 'train', 'sample'), ds(2, 'test', 'sample'), ds(3, 'train', '/home/u/train.csv'), ds(4, 'test', '/home/u/test.csv'), ds(5, 'train', '/home/u/more.csv')];

  it('prefers the newest imported set of the kind over the bundled sample', () => {
    expect(pickDataset(list, 'test')?.id).toBe(4);
    expect(pickDataset(list, 'train')?.id).toBe(5);
    expect(pickDataset([ds(1, 'train', 'sample'), ds(2, 'test', 'sample')], 'test')?.id).toBe(2);
    expect(pickDataset([], 'test')).toBeNull();
  });

  it('keeps the user’s choice when a newer set of that kind arrives, and names the newer one', () => {
    const chose = choiceOf(list, 1);
    expect(pickDataset(list, 'train', chose)?.id).toBe(1);
    expect(newerDataset(list, 'train', chose)).toBeNull();
    expect(pickDataset([...list, ds(6, 'test', '/x.csv')], 'train', chose)?.id).toBe(1);
    expect(newerDataset([...list, ds(6, 'test', '/x.csv')], 'train', chose)).toBeNull();
    expect(pickDataset([...list, ds(6, 'train', '/x.csv')], 'train', chose)?.id).toBe(1);
    expect(newerDataset([...list, ds(6, 'train', '/x.csv')], 'train', chose)?.id).toBe(6);
    // A chosen set that was deleted gives way to the newest import.
    expect(pickDataset(list.filter((d) => d.id !== 1), 'train', chose)?.id).toBe(5);
  });
});

describe('NewRun remembers the last run started', () => {
  it('opens on the preset and hyperparameters last started, and the dataset last used', async () => {
    const store = memoryStore();
    const first = new NewRun(store);
    await first.loadPresets();
    expect(first.preset).toBe('seed-lenet5');
    expect(first.form?.epochs).toBe(resolveHyperparams('seed-lenet5').epochs);
    first.choosePreset('dnn');
    first.form!.epochs = 3;
    first.form!.learningRate = 0.002;
    first.datasetId = 3;
    expect(await first.start([ds(1, 'train', 'sample'), ds(3, 'train', '/t.csv')])).toEqual({ runs: [{ id: 1 }] });

    const next = new NewRun(store);
    await next.loadPresets();
    expect(next.preset).toBe('dnn');
    expect(next.form?.epochs).toBe(3);
    expect(next.form?.learningRate).toBe(0.002);
    expect(next.remembered.train?.id).toBe(3);
    // The preset's own values stay the "default" shown beside each field.
    expect(next.defaults?.epochs).toBe(resolveHyperparams('dnn').epochs);
  });

  it('keeps the preset defaults when nothing was started yet', async () => {
    const fresh = new NewRun(memoryStore());
    await fresh.loadPresets();
    expect(fresh.form).toEqual(fresh.defaults);
  });
});

describe('NewRun keeps the user’s dataset when a dataset version is saved', () => {
  const before = [ds(1, 'train', 'sample'), ds(3, 'train', '/home/u/train.csv'), ds(4, 'test', '/home/u/test.csv')];
  const version = { ...ds(5, 'train', 'version of dataset 3'), name: 'train v2' };

  it('opens on the set the form showed last time, and offers the version by name instead of switching', async () => {
    const store = memoryStore();
    const first = new NewRun(store);
    first.openDataset(before);
    expect(first.datasetId).toBe(3);
    expect(first.newerDataset(before)).toBeNull();

    // Label issues saves a version; the next New run still trains on train.csv and names the version.
    const after = [...before, version];
    const next = new NewRun(store);
    next.openDataset(after);
    expect(next.datasetId).toBe(3);
    expect(next.newerDataset(after)?.name).toBe('train v2');

    // Keeping the current set answers the question; using the version switches, and both are remembered.
    next.chooseDataset(3, after);
    expect(next.newerDataset(after)).toBeNull();
    const third = new NewRun(store);
    third.openDataset(after);
    expect(third.datasetId).toBe(3);
    third.chooseDataset(5, after);
    const fourth = new NewRun(store);
    fourth.openDataset(after);
    expect(fourth.datasetId).toBe(5);
  });

  it('keeps a set the user picked without starting a run', async () => {
    const store = memoryStore();
    const list = [...before, { ...ds(6, 'train', '/home/u/other.csv'), name: 'other' }];
    const form = new NewRun(store);
    form.openDataset(list);
    expect(form.datasetId).toBe(6);
    form.chooseDataset(1, list);
    const again = new NewRun(store);
    again.openDataset([...list, version]);
    expect(again.datasetId).toBe(1);
    expect(again.newerDataset([...list, { ...version, id: 7 }])?.id).toBe(7);
  });
});
