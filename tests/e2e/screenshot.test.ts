// Regenerates the README gallery, resources/screenshots/<view>.png at 1440×900, from the views the layout test
// checks — only with UPDATE_SCREENSHOTS=1 (`npm run screenshots`), since it trains a longer run for the charts.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { tempDir } from '../helpers/temp-home.js';
import { trainFixture } from './fixture.js';
import { launchChromium, startServe } from './harness.js';
import { openState, viewStates } from './views.js';

const OUT = join(process.cwd(), 'resources', 'screenshots');
// The README shows these; a budget per file keeps the repository small.
const MAX_BYTES = 250 * 1024;
const SHOWN = new Map([
  ['Datasets', 'datasets'],
  ['New run', 'new-run'],
  ['Runs', 'runs'],
  ['Run page', 'run'],
  ['Compare', 'compare'],
  ['Errors (digit selected)', 'errors'],
  ['Embedding (map, digit selected)', 'embedding'],
  ['Diff', 'diff'],
  ['Submissions (ensemble)', 'submissions'],
  ['Autopilot (job)', 'autopilot'],
  ['Draw', 'draw'],
  ['Settings', 'settings'],
]);

describe.skipIf(process.env.UPDATE_SCREENSHOTS !== '1')('README screenshots', () => {
  it('captures each main view at 1440×900', { timeout: 600_000 }, async () => {
    const home = tempDir('dw-shots-');
    const trained = await trainFixture(home.path);
    // One run long enough for curves worth looking at (8 epochs on the bundled 8,000 digits).
    const wb = new Workbench({ home: trained.data });
    let long: number;
    try {
      const sample = (await wb.call('datasets:list', undefined)).find((d) => d.name === 'sample-train')!;
      const [run] = await wb.call('runs:start', {
        datasetId: sample.id,
        preset: 'seed-lenet5',
        hyperparams: { epochs: 8, validation: { mode: 'stratified', ratio: 0.15 } },
      });
      expect(await wb.runs.waitFor(run.id)).toBe('completed');
      long = run.id;
    } finally {
      wb.close();
    }
    const served = await startServe(trained.data);
    const browser = await launchChromium();
    try {
      mkdirSync(OUT, { recursive: true });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(served.url);
      // The run page, its errors and its embedding map show the long run; Diff keeps two runs validated on the same images.
      const states = viewStates(trained).map((v) =>
        v.name === 'Run page'
          ? { ...v, hash: `#/runs/${long}` }
          : v.name.startsWith('Errors')
            ? { ...v, hash: `#/errors/${long}` }
            : v.name.startsWith('Embedding')
              ? { ...v, hash: `#/embedding/${long}` }
              : v,
      );
      for (const state of states) {
        const file = SHOWN.get(state.name);
        if (!file) continue;
        await openState(page, state);
        await page.waitForTimeout(400);
        const path = join(OUT, `${file}.png`);
        await page.screenshot({ path });
        expect(statSync(path).size, file).toBeLessThan(MAX_BYTES);
      }
    } finally {
      await browser.close();
      await served.stop();
      home.remove();
    }
  });
});
