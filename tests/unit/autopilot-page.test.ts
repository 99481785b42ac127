// The Autopilot page's state: the budget field's messages, a plan kept only for the form it was made for, Start
// with that form, a burst of progress events read as one refresh, and the ensemble exported as the job chose it.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { installFakeBridge } from '../mocks/fake-bridge.js';
import type { AutopilotJobInfo } from '../../src/shared/autopilot.js';

const bridge = installFakeBridge();
let mod: typeof import('../../src/renderer/lib/autopilot-page.svelte.js');

const job = (over: Partial<AutopilotJobInfo> = {}): AutopilotJobInfo => ({
  id: 1, datasetId: 1, testDatasetId: 2, budgetSeconds: 900, elapsedSeconds: 10, target: 'local', status: 'running', stage: 'training', plan: null,
  members: [{ runId: 5, preset: 'cnn-strong', epochs: 9, epochsDone: 1, status: 'running', bestValAcc: 0.9 }],
  ensemble: [], valAcc: null, tta: null, submissionId: null, submissionPath: null, notes: [], error: null, createdAt: 'now', endedAt: null, ...over,
});
const form = { datasetId: 1, testDatasetId: 2, budgetSeconds: 900, target: 'local' as const };

beforeAll(async () => {
  mod = await import('../../src/renderer/lib/autopilot-page.svelte.js');
  bridge.handle('autopilot:list', () => [job()]);
  bridge.handle('autopilot:plan', (args) => ({ headline: `plan for ${(args as typeof form).budgetSeconds} s`, reasons: [], cuts: [] }));
  bridge.handle('autopilot:start', () => job({ id: 2 }));
});

const count = (name: string) => bridge.calls.filter((c) => c.name === name).length;

describe('AutopilotPage', () => {
  it('reads the budget field or says what is wrong with it', () => {
    expect(mod.budgetOf('1h30m')).toEqual({ seconds: 5400, error: null });
    expect(mod.budgetOf('soon').error).toMatch(/^Budget: "soon" is not a time/);
    expect(mod.budgetOf('20s').error).toMatch(/under a minute/);
  });

  it('keeps a plan for its form, forgets it when the form changes, and starts with the form', async () => {
    const page = new mod.AutopilotPage(null);
    await page.preview(form);
    expect(page.plan?.headline).toBe('plan for 900 s');
    expect(page.planned).toEqual(form);
    page.forget();
    expect(page.plan).toBeNull();
    await page.startJob(form);
    expect(bridge.calls.find((c) => c.name === 'autopilot:start')?.args).toEqual(form);
    expect(page.id).toBe(2);
  });

  it('refreshes once for a burst of progress events, and only for autopilot events or its members’ runs', async () => {
    vi.useFakeTimers();
    try {
      const page = new mod.AutopilotPage(1);
      const stop = page.start();
      await vi.runAllTimersAsync();
      const before = count('autopilot:list');
      for (let i = 0; i < 5; i++) bridge.emit({ type: 'autopilot:changed', jobId: 1 });
      bridge.emit({ type: 'run:status', runId: 99, status: 'completed', error: null });
      await vi.runAllTimersAsync();
      expect(count('autopilot:list') - before).toBe(1);
      bridge.emit({ type: 'run:status', runId: 5, status: 'completed', error: null });
      await vi.runAllTimersAsync();
      expect(count('autopilot:list') - before).toBe(2);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
