// The workbench's views and the states worth looking at (filled tables, open dialogs, a selected digit, an
// ensemble), shared by the layout test and the README screenshots.
import type { Page } from 'playwright-core';
import type { Trained } from './fixture.js';

export const SIZES = [
  [1024, 700],
  [1440, 900],
  [1920, 1080],
] as const;

export interface ViewState {
  name: string;
  hash: string;
  /** Waits until the view shows its data, and opens what the state needs (a dialog, a selection). */
  ready(page: Page): Promise<unknown>;
  /** Controls that must be in view without scrolling sideways even inside a scrollable region. */
  pinned?: string;
}

/** The views and the states of them worth checking: filled tables, open dialogs, a selected digit, an ensemble. */
export function viewStates(t: Trained): ViewState[] {
  const [a, b] = t.runs;
  return [
    { name: 'Datasets', hash: '#/datasets', ready: (p) => p.locator('[data-testid=digit-grid] canvas').first().waitFor() },
    {
      name: 'Datasets (delete dialog)',
      hash: '#/datasets',
      ready: async (p) => {
        await p.getByRole('button', { name: 'Delete sample-test' }).click();
        await p.getByRole('dialog').waitFor();
      },
    },
    { name: 'New run', hash: '#/new', ready: (p) => p.locator('[aria-label="Model summary"] table').waitFor() },
    {
      name: 'New run (sweep, JSON model)',
      hash: '#/new',
      ready: async (p) => {
        await p.locator('[aria-label="Model summary"] table').waitFor();
        await p.getByLabel('Sweep hyperparameters').check();
        await p.getByRole('button', { name: '+ Parameter' }).click();
        await p.getByRole('button', { name: 'JSON', exact: true }).click();
        await p.getByLabel('Model layers as JSON').waitFor();
      },
    },
    {
      name: 'Runs',
      hash: '#/runs',
      ready: (p) => p.locator(`[data-testid=runs-table] tr[data-run="${t.noted}"]`).waitFor(),
      // A run's Stop/Edit/Delete: a long note must not push them out of view.
      pinned: '[data-testid=runs-table] td.actions button',
    },
    {
      name: 'Runs (notes dialog)',
      hash: '#/runs',
      ready: async (p) => {
        await p.getByRole('button', { name: `Edit notes and tags of run ${t.noted}` }).click();
        await p.getByRole('dialog').waitFor();
      },
    },
    { name: 'Run page', hash: `#/runs/${t.noted}`, ready: (p) => p.locator('table[aria-label=Epochs] tbody tr').first().waitFor() },
    { name: 'Compare', hash: `#/compare/${t.runs.join(',')}`, ready: (p) => p.locator('[data-metric=valAcc] .chart').waitFor() },
    {
      name: 'Errors (digit selected)',
      hash: `#/errors/${t.noted}`,
      ready: async (p) => {
        await p.locator('[data-testid=gallery] [data-idx]').first().click();
        await p.locator('[data-testid=inspector][data-idx]').waitFor();
      },
    },
    {
      name: 'Embedding (map, digit selected)',
      hash: `#/embedding/${t.noted}`,
      ready: async (p) => {
        const map = p.getByTestId('embedding-canvas');
        const form = p.getByRole('form', { name: 'Compute the embedding map' });
        // The first visit computes the map; later ones show the stored one at once (the form and map come together).
        await form.waitFor();
        if (!(await map.isVisible())) {
          await form.getByRole('button', { name: 'Compute', exact: true }).click();
          await map.waitFor({ timeout: 90_000 });
        }
        await map.focus();
        await p.keyboard.press('ArrowRight');
        await p.keyboard.press('Enter');
        await p.locator('[data-testid=inspector][data-idx]').waitFor();
      },
    },
    { name: 'Diff', hash: `#/diff/${a}/${t.noted}`, ready: (p) => p.getByTestId('diff-summary').waitFor() },
    {
      name: 'Submissions (ensemble)',
      hash: '#/submissions',
      ready: async (p) => {
        await p.getByTestId('ledger').waitFor();
        for (const id of [a, b]) await p.locator(`input[type=checkbox][data-run="${id}"]`).check();
        await p.locator('[data-testid=ensemble] [data-accuracy]').first().waitFor();
      },
      pinned: '[data-testid=ledger] input',
    },
    {
      name: 'Draw',
      hash: '#/draw',
      ready: async (p) => {
        await p.getByRole('button', { name: 'Random' }).click();
        await p.getByTestId('top-class').waitFor();
      },
    },
    {
      name: 'Autopilot (plan)',
      hash: '#/autopilot',
      ready: async (p) => {
        const form = p.getByRole('form', { name: 'Plan a submission' });
        await form.getByRole('button', { name: 'Plan', exact: true }).click();
        await p.getByTestId('autopilot-plan').waitFor({ timeout: 90_000 });
      },
    },
    { name: 'Autopilot (job)', hash: `#/autopilot/${t.autopilot}`, ready: (p) => p.getByTestId('autopilot-result').waitFor() },
    { name: 'Settings', hash: '#/settings', ready: (p) => p.getByText('loads here').first().waitFor() },
    ...(t.wide ? wideStates(t.wide) : []),
  ];
}

/** The widest content: a long dataset name, a cnn-strong model, a sweep's plot and a label-issues job. */
function wideStates(w: NonNullable<Trained['wide']>): ViewState[] {
  return [
    { name: 'Datasets (long name)', hash: `#/datasets/${w.datasetId}`, ready: (p) => p.locator('[data-testid=digit-grid] canvas').first().waitFor() },
    {
      name: 'New run (long dataset name, cnn-strong)',
      hash: '#/new',
      ready: async (p) => {
        await p.locator('[aria-label="Model summary"] table').waitFor();
        await p.getByLabel('Dataset').selectOption(String(w.datasetId));
        await p.locator('label.preset', { hasText: 'cnn-strong' }).click();
        await p.locator('[aria-label="Model summary"] td', { hasText: 'batch_normalization' }).first().waitFor();
      },
    },
    { name: 'Run page (cnn-strong, stopped before epoch 1)', hash: `#/runs/${w.strong}`, ready: (p) => p.locator('.page-head [data-status="stopped"]').waitFor() },
    { name: 'Sweep', hash: `#/sweeps/${w.sweepId}`, ready: (p) => p.getByTestId('parcoords').waitFor() },
    { name: 'Label issues', hash: `#/labels/${encodeURIComponent(w.labelKey)}`, ready: (p) => p.locator('.gallery [data-row]').first().waitFor() },
  ];
}

/** Opens a view state from a neutral start (dialogs closed, the view freshly mounted). */
export async function openState(page: Page, state: ViewState): Promise<void> {
  if (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
  await page.evaluate(() => (location.hash = '#/settings'));
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  await page.evaluate((h) => (location.hash = h), state.hash);
  await state.ready(page);
  await page.mouse.move(0, 0);
  // Charts and the virtualised gallery lay out on the next frames.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}
