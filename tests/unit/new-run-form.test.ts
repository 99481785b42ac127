// The New run form's state over a fake transport whose methods are the core's own (presets, validation, model
// summary): each problem lands on its field in the GUI's words, a preset fills the form, and Start sends exactly
// the hyperparameters, seeds and sweep axes the form shows.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { presets, resolveHyperparams } from '../../src/core/training/presets.js';
import { previewRun } from '../../src/core/training/start.js';
import type { KeyValueStore } from '../../src/renderer/lib/selections.js';
import { installFakeBridge } from '../mocks/fake-bridge.js';

const bridge = installFakeBridge();
let NewRun: typeof import('../../src/renderer/lib/new-run.svelte.js').NewRun;
type Form = import('../../src/renderer/lib/new-run.svelte.js').NewRun;

beforeAll(async () => {
  ({ NewRun } = await import('../../src/renderer/lib/new-run.svelte.js'));
  bridge.handle('presets:list', () => Object.values(presets));
  bridge.handle('runs:preview', async (args) => {
    const { preset, hyperparams } = args as { preset: string; hyperparams: Record<string, unknown> };
    await holdPreview?.promise;
    return { summary: previewRun(preset, hyperparams).summary };
  });
  // Start validates as the core does before it queues anything.
  bridge.handle('runs:start', (args) => {
    const { preset, hyperparams, seeds } = args as { preset: string; hyperparams: Record<string, unknown>; seeds?: number[] };
    previewRun(preset, hyperparams);
    return (seeds ?? [0]).map((_, i) => ({ id: i + 1 }));
  });
  bridge.handle('sweeps:start', () => ({ id: 1 }));
});

/** While set, runs:preview answers only when the test resolves it (a slow core). */
let holdPreview: { promise: Promise<void>; resolve(): void } | null = null;

beforeEach(() => {
  bridge.calls.length = 0;
  holdPreview = null;
});

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

async function opened(): Promise<Form> {
  const f = new NewRun(memoryStore());
  await f.loadPresets();
  f.datasetId = 1;
  return f;
}

const sent = (name: string) => bridge.calls.filter((c) => c.name === name).map((c) => c.args as Record<string, any>);

describe('NewRun hyperparameter form', () => {
  it('shows the preset’s model summary when the settings are valid', async () => {
    const f = await opened();
    await f.preview();
    expect(f.problems).toEqual([]);
    expect(f.summary?.rows[0]).toEqual({ layer: 'conv2d (Conv2D)', outputShape: [null, 28, 28, 6], params: 156 });
  });

  it('puts each problem on its own field, and Start lists them in the form’s words', async () => {
    const f = await opened();
    f.form!.batchSize = 0;
    f.form!.learningRate = null as unknown as number; // a cleared number input
    f.form!.validation.ratio = 0.9;
    await f.preview();
    const byPath = Object.fromEntries(f.problems.map((p) => [p.path, p.message]));
    expect(Object.keys(byPath).sort()).toEqual(['batchSize', 'learningRate', 'validation.ratio']);
    expect(byPath.batchSize).toMatch(/1 to 4096.*0/);
    expect(byPath.learningRate).toMatch(/empty/);
    expect(byPath['validation.ratio']).toMatch(/0\.01 to 0\.5.*0\.9/);

    expect(await f.start()).toBeNull();
    const lines = f.startError!.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Batch size: .*4096/);
    expect(lines.some((l) => /^Learning rate: /.test(l))).toBe(true);
    expect(lines.some((l) => /^Validation ratio: /.test(l))).toBe(true);
    expect(f.startError).not.toMatch(/batchSize|validation\.ratio/); // the contract's keys stay in the CLI
  });

  it('names the layer whose shape cannot work', async () => {
    const f = await opened();
    f.form!.model = [{ type: 'flatten' }, { type: 'dense', units: 7, activation: 'softmax' }];
    await f.preview();
    expect(f.problems).toEqual([{ path: 'model[1]', message: expect.stringMatching(/10 classes/) }]);
    f.form!.model = [{ type: 'dense', units: 10, activation: 'softmax' }];
    await f.preview();
    expect(f.problems).toEqual([{ path: 'model[0]', message: expect.stringMatching(/flat input/) }]);
    expect(await f.start()).toBeNull();
    expect(f.startError).toMatch(/^Layer 1: /);
  });

  it('drops a slow preview’s answer once a newer one has answered', async () => {
    const f = await opened();
    let resolve!: () => void;
    holdPreview = { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    f.form!.batchSize = 0;
    const invalid = f.preview();
    holdPreview = null;
    f.form!.batchSize = 64;
    await f.preview();
    expect([f.problems, f.previewing]).toEqual([[], false]);
    resolve();
    await invalid;
    expect([f.problems, f.previewing]).toEqual([[], false]);
    expect(f.summary).not.toBeNull();
  });

  it('fills the form from a preset, with its optional parts switched on or off, and resets a field to it', async () => {
    const f = await opened();
    f.choosePreset('cnn-strong');
    const strong = resolveHyperparams('cnn-strong');
    expect(f.form).toMatchObject({ epochs: strong.epochs, batchSize: strong.batchSize, optimizer: strong.optimizer, model: strong.model });
    expect(f.form!.augOn).toBe(strong.augmentation !== null);
    expect(f.form!.decayOn).toBe(strong.lrDecay !== null);
    f.choosePreset('seed-lenet5');
    const lenet = resolveHyperparams('seed-lenet5');
    expect([f.form!.augOn, f.form!.decayOn, f.form!.esOn, f.form!.rlrOn]).toEqual([false, false, true, true]);
    expect(f.form!.model).toEqual(lenet.model);
    f.form!.epochs = 3;
    f.resetField('epochs');
    expect(f.form!.epochs).toBe(lenet.epochs);
  });

  it('submits the hyperparameters shown: parts switched off as null, one seed per repeat, where it trains', async () => {
    const f = await opened();
    f.choosePreset('seed-lenet5');
    expect(await f.start()).toEqual({ runs: [{ id: 1 }] });
    expect(sent('runs:start')[0]).toEqual({ datasetId: 1, preset: 'seed-lenet5', hyperparams: resolveHyperparams('seed-lenet5'), seeds: undefined, target: 'local' });

    f.form!.esOn = false;
    f.form!.augOn = true; // on, with the starting values the form shows
    f.form!.shuffleFull = true;
    f.form!.learningRate = 0.002;
    f.repeat = 3;
    await f.start();
    const hp = sent('runs:start')[1].hyperparams;
    expect(hp).toMatchObject({ earlyStopping: null, augmentation: { rotation: 10, zoom: 0.1, shift: 0.1 }, shuffleBuffer: null, learningRate: 0.002 });
    expect(sent('runs:start')[1].seeds).toEqual([hp.seed, hp.seed + 1, hp.seed + 2]);
    // Editing the form after Start does not reach into what was sent.
    f.form!.model[0] = { type: 'flatten' };
    expect(hp.model[0].type).toBe('conv2d');
  });

  it('asks for a training set before starting', async () => {
    const f = await opened();
    f.datasetId = null;
    expect(await f.start()).toBeNull();
    expect(f.startError).toBe('Pick a training dataset first.');
    expect(bridge.calls.some((c) => c.name === 'runs:start')).toBe(false);
  });
});

describe('NewRun sweep axes', () => {
  it('reads lists, ranges, log ranges and single values, and counts the trials', async () => {
    const f = await opened();
    f.sweepOn = true;
    f.axes = [{ key: 'learningRate', values: '0.001 0.003, 1e-2' }, { key: 'batchSize', values: '64' }];
    expect(f.plan).toMatchObject({ error: null, sweep: { params: ['learningRate=0.001,0.003,1e-2', 'batchSize=64'], trials: 3 } });
    expect(f.plan.sweep!.dims).toEqual([
      { key: 'learningRate', kind: 'list', values: [0.001, 0.003, 0.01] },
      { key: 'batchSize', kind: 'fixed', value: 64 },
    ]);
    expect(f.runCount).toBe(3);

    f.search = 'random';
    f.trials = 8;
    f.axes = [{ key: 'learningRate', values: 'log:1e-4..1e-2' }, { key: 'batchSize', values: '16 .. 128' }];
    expect(f.plan.sweep!.dims).toEqual([
      { key: 'learningRate', kind: 'range', low: 1e-4, high: 1e-2, log: true, integer: false },
      { key: 'batchSize', kind: 'range', low: 16, high: 128, log: false, integer: true },
    ]);
    expect(f.runCount).toBe(8);
  });

  it.each([
    [{ key: 'learningRate', values: 'log:1e-2..1e-4' }, 'grid', /^learningRate=log:1e-2\.\.1e-4: the range must go from low to high/],
    [{ key: 'learningRate', values: 'log:0..1' }, 'random', /a log range needs bounds above 0/],
    [{ key: 'learningRate', values: 'log:0.1' }, 'random', /log: needs a range/],
    [{ key: 'batchSize', values: 'a..b' }, 'random', /^batchSize=a\.\.b: “a” is not a number/],
    [{ key: 'batchSize', values: '' }, 'grid', /^batchSize=: no values/],
    [{ key: 'learningRate', values: 'log:1e-4..1e-2' }, 'grid', /grid search needs a list/],
  ] as const)('refuses %j under %s search, naming the axis', async (axis, search, message) => {
    const f = await opened();
    f.sweepOn = true;
    f.search = search;
    f.axes = [axis];
    expect(f.plan.sweep).toBeNull();
    expect(f.plan.error).toMatch(message);
    expect(f.runCount).toBe(0);
    expect(await f.start()).toBeNull();
    expect(f.startError).toBe(f.plan.error);
    expect(bridge.calls.some((c) => c.name === 'sweeps:start')).toBe(false);
  });

  it('refuses the same hyperparameter on two axes', async () => {
    const f = await opened();
    f.sweepOn = true;
    f.axes = [{ key: 'epochs', values: '2, 3' }, { key: 'epochs', values: '4' }];
    expect(f.plan.error).toMatch(/^epochs: given twice/);
  });

  it('starts a sweep with the axes as NAME=SPACE, the budget only when the search is not a grid, and pruning', async () => {
    const f = await opened();
    f.sweepOn = true;
    f.axes = [{ key: 'learningRate', values: '0.001, 0.0005' }, { key: 'optimizer', values: 'adam sgd' }];
    expect(await f.start()).toEqual({ sweep: { id: 1 } });
    const grid = sent('sweeps:start')[0];
    expect(grid).toMatchObject({ datasetId: 1, preset: 'seed-lenet5', params: ['learningRate=0.001,0.0005', 'optimizer=adam,sgd'], search: 'grid', prune: undefined });
    expect(grid).not.toHaveProperty('trials');

    f.search = 'tpe';
    f.trials = 12;
    f.prune = true;
    f.minResource = 2;
    f.reductionFactor = 4;
    f.axes = [{ key: 'learningRate', values: 'log:1e-4..1e-2' }];
    await f.start();
    expect(sent('sweeps:start')[1]).toMatchObject({ params: ['learningRate=log:1e-4..1e-2'], search: 'tpe', trials: 12, prune: { minResource: 2, reductionFactor: 4 } });
    expect(bridge.calls.some((c) => c.name === 'runs:start')).toBe(false);
  });
});
