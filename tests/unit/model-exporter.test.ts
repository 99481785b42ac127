// The run page's model export in the desktop app (a fake preload bridge): the save dialog for the chosen format,
// the contract call, asking before replacing, and the core's refusal shown as it is.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/shared/errors.js';
import { installFakeBridge, type FakeBridge } from '../mocks/fake-bridge.js';

const bridge: FakeBridge = installFakeBridge();
let mod: typeof import('../../src/renderer/lib/model-exporter.svelte.js');

beforeAll(async () => {
  mod = await import('../../src/renderer/lib/model-exporter.svelte.js');
});

let onDisk: Set<string>;
beforeEach(() => {
  bridge.calls.length = 0;
  onDisk = new Set();
  bridge.handle('desktop:save-file', (args) => ({ path: `/home/me/${(args as { defaultName: string }).defaultName}` }));
  bridge.handle('runs:export-model', (args) => {
    const a = args as { out: string; format: string; force: boolean };
    if (onDisk.has(a.out) && !a.force) throw new WorkbenchError('conflict', `${a.out} exists already (use --force to replace it)`);
    if (a.out.includes('theirs')) throw new WorkbenchError('conflict', `${a.out} is not a model Digit Workbench wrote (its contents match no export in the ledger): it is not replaced`);
    onDisk.add(a.out);
    return { format: a.format, path: a.out, files: [a.out.split('/').pop()], epoch: 4 };
  });
});

const exportCalls = () => bridge.calls.filter((c) => c.name === 'runs:export-model').map((c) => c.args);

describe('ModelExporter (desktop)', () => {
  it('asks where to save a .onnx file, exports the chosen weights as ONNX and shows where it went', async () => {
    const exporter = new mod.ModelExporter();
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    expect(bridge.calls[0]).toEqual({ name: 'desktop:save-file', args: { purpose: 'onnx', defaultName: 'digit-workbench-run7-best.onnx' } });
    expect(exportCalls()).toEqual([{ id: 7, out: '/home/me/digit-workbench-run7-best.onnx', weights: 'best', format: 'onnx', force: false }]);
    expect(exporter.result).toEqual({ format: 'onnx', path: '/home/me/digit-workbench-run7-best.onnx', files: ['digit-workbench-run7-best.onnx'], epoch: 4, downloaded: false });
    expect(exporter.error).toBeNull();
  });

  it('a tfjs export asks for a folder name; a cancelled dialog exports nothing', async () => {
    const exporter = new mod.ModelExporter();
    await exporter.export({ runId: 7, weights: 'last', format: 'tfjs' });
    expect(bridge.calls[0].args).toEqual({ purpose: 'model', defaultName: 'digit-workbench-run7-last' });
    expect(exportCalls()).toEqual([{ id: 7, out: '/home/me/digit-workbench-run7-last', weights: 'last', format: 'tfjs', force: false }]);
    bridge.calls.length = 0;
    bridge.handle('desktop:save-file', () => ({ path: null }));
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    expect(exportCalls()).toEqual([]);
  });

  it('asks before replacing an existing file, replaces it only on yes, and shows a refusal as the core words it', async () => {
    const exporter = new mod.ModelExporter();
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    expect(exporter.overwrite).toEqual({ choice: { runId: 7, weights: 'best', format: 'onnx' }, path: '/home/me/digit-workbench-run7-best.onnx' });
    expect(exporter.error).toBeNull();
    await exporter.confirmOverwrite(false);
    expect(exporter.overwrite).toBeNull();
    expect(exportCalls().map((a) => (a as { force: boolean }).force)).toEqual([false, false]);
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    await exporter.confirmOverwrite(true);
    expect(exportCalls().map((a) => (a as { force: boolean }).force)).toEqual([false, false, false, true]);

    bridge.handle('desktop:save-file', () => ({ path: '/home/me/theirs.onnx' }));
    await exporter.export({ runId: 7, weights: 'best', format: 'onnx' });
    expect(exporter.error).toMatch(/^\/home\/me\/theirs\.onnx is not a model Digit Workbench wrote/);
    expect(exporter.busy).toBe(false);
  });

  it('names the CLI command a browser user runs for a tfjs folder', () => {
    expect(mod.canExport('tfjs')).toBe(true); // the desktop app writes folders
    expect(mod.exportCommand({ runId: 3, weights: 'best', format: 'tfjs' })).toBe('digit-workbench model export --run 3 --out digit-workbench-run3-best');
    expect(mod.exportCommand({ runId: 3, weights: 'last', format: 'onnx' })).toBe('digit-workbench model export --run 3 --out digit-workbench-run3-last.onnx --format onnx --weights last');
  });
});
