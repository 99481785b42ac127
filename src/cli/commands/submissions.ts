// export, submissions, predict: Kaggle submission files, their ledger, and single-image predictions.

import { resolve } from 'node:path';
import { parse, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { progressBar, table, int } from '../format.js';
import { resolveDataset } from '../resolve.js';
import { SUSPICIOUS_NOTE } from '../../shared/submissions.js';

function runIdList(value: string | undefined, flag: string): number[] {
  if (!value) throw new UsageError(`${flag} needs run ids, e.g. ${flag} 3 or ${flag} 3,4,7`);
  const ids = value.split(',').map((v) => v.trim());
  for (const id of ids) if (!/^\d+$/.test(id) || Number(id) < 1) throw new UsageError(`${flag}: "${id}" is not a run id`);
  return ids.map(Number);
}

function weightsOf(values: Record<string, string | boolean | undefined>): 'best' | 'last' {
  const w = optionalString(values, 'weights') ?? 'best';
  if (w !== 'best' && w !== 'last') throw new UsageError(`--weights must be best or last (got "${w}")`);
  return w;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a Kaggle submission (ImageId,Label) from one run or an ensemble',
  usage: `digit-workbench export --run ID[,ID...] --test ID|NAME|FILE --out FILE [--weights best|last] [--tta] [--force] [--json]

  Predicts every image of the test set (a FILE is imported first) with the run, or with the mean of
  several runs' probabilities, and writes ImageId,Label with ImageId from 1. --tta averages each image
  with one-pixel shifts. The file is validated, then written atomically; --force replaces an existing
  file only when it is a submission in the ledger, unchanged. When the answers are known (sample-test)
  the export is scored. Recorded in the ledger.`,
  async run(argv, ctx) {
    const { values } = parse(
      argv,
      { run: { type: 'string' }, test: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, tta: { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
      { min: 0, max: 0 },
    );
    if (values.help) return void console.log(this.usage);
    const runIds = runIdList(optionalString(values, 'run'), '--run');
    const testRef = optionalString(values, 'test');
    const out = optionalString(values, 'out');
    if (!testRef) throw new UsageError('export needs --test ID|NAME|FILE');
    if (!out) throw new UsageError('export needs --out FILE');
    const weights = weightsOf(values);
    const wb = ctx.workbench();
    const dataset = await resolveDataset(wb, testRef, { allowFile: true });
    // Warned, not refused: a test set of another kind of image exports fine and scores near chance.
    for (const warning of (await wb.call('submissions:check', { runIds, datasetId: dataset.id })).warnings) console.error(`digit-workbench: warning: ${warning}`);
    const bar = values.json ? undefined : progressBar('predicting');
    const off = wb.on((e) => {
      if (e.type === 'predict:progress') bar?.update(e.done / e.total, `${e.done}/${e.total} images`);
    });
    try {
      const s = await wb.call('submissions:export', { runIds, datasetId: dataset.id, weights, tta: values.tta === true, out: resolve(out), force: values.force === true });
      bar?.done();
      if (values.json) return printJson({ id: s.id, path: s.path, rows: s.rows, sha256: s.sha256, runs: s.runs, ...(s.accuracy !== null ? { accuracy: s.accuracy } : {}) });
      console.log(`wrote ${s.path}: ${int(s.rows)} rows (submission ${s.id})${s.accuracy !== null ? `, accuracy ${(s.accuracy * 100).toFixed(2)}% on the known answers` : ''}`);
    } finally {
      off();
    }
  },
};

export const submissionsCommand: Command = {
  name: 'submissions',
  summary: 'the submission ledger; record the score Kaggle gave a file',
  usage: `digit-workbench submissions [--json]
digit-workbench submissions score ID SCORE      (e.g. 0.99142; "none" clears it)`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, { min: 0, max: 3 });
    if (values.help) return void console.log(this.usage);
    const wb = ctx.workbench();
    if (positionals[0] === 'score') {
      const [, id, scoreText] = positionals;
      if (!id || !/^\d+$/.test(id)) throw new UsageError('submissions score needs a submission id');
      if (scoreText === undefined) throw new UsageError('submissions score needs the score, e.g. 0.99142');
      const value = scoreText === 'none' ? null : Number(scoreText);
      if (value !== null && (!Number.isFinite(value) || scoreText.trim() === '')) throw new UsageError(`the score must be a number like 0.99142 (got "${scoreText}")`);
      const s = await wb.call('submissions:score', { id: Number(id), score: value });
      if (values.json) return printJson(s);
      console.log(`submission ${s.id}: Kaggle score ${s.kaggleScore ?? 'cleared'}`);
      if (s.scoreNote) console.log(`note: ${s.scoreNote}`);
      return;
    }
    if (positionals.length > 0) throw new UsageError(`unknown submissions subcommand "${positionals[0]}" (score)`);
    const list = await wb.call('submissions:list', undefined);
    if (values.json) return printJson(list);
    if (list.length === 0) return void console.log('no submissions yet: digit-workbench export --run ID --test sample-test --out submission.csv');
    console.log(
      table(
        ['ID', 'RUNS', 'WEIGHTS', 'TTA', 'ROWS', 'ACCURACY', 'KAGGLE', 'FILE'],
        list.map((s) => [s.id, s.runs.join(','), s.weights, s.tta ? 'yes' : 'no', s.rows, s.accuracy === null ? '–' : `${(s.accuracy * 100).toFixed(2)}%`, s.kaggleScore === null ? '–' : `${s.kaggleScore}${s.scoreNote ? ' (!)' : ''}`, s.path]),
      ),
    );
    if (list.some((s) => s.scoreNote)) console.log(`(!) ${SUSPICIOUS_NOTE}`);
  },
};

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict the digit in a PNG, or every row of a CSV',
  usage: `digit-workbench predict --run ID FILE.png|FILE.csv [--weights best|last] [--json]

  A PNG of any size is scaled to 28×28 (a dark digit on a light background is inverted to
  Kaggle's white on black). A CSV in Kaggle's format (train or test) is predicted row by row.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { run: { type: 'string' }, weights: { type: 'string' }, json: { type: 'boolean' } }, { min: 1, max: 1 });
    if (values.help) return void console.log(this.usage);
    const [runId] = runIdList(optionalString(values, 'run'), '--run');
    const weights = weightsOf(values);
    const file = positionals[0];
    const wb = ctx.workbench();
    const { predictFile } = await import('../../core/inference/predict-file.js');
    const rows = await predictFile(wb, { runId, weights, file });
    if (values.json) return printJson(rows.length === 1 && file.toLowerCase().endsWith('.png') ? rows[0] : rows);
    console.log(table(['ROW', 'LABEL', 'CONFIDENCE'], rows.map((r, i) => [i + 1, r.label, `${(r.probs[r.label] * 100).toFixed(1)}%`])));
  },
};
