// import, datasets: bring Kaggle CSVs into the store and manage them.

import { parse, optionalString, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { formatBytes, progressBar, table, int } from '../format.js';
import { resolveDataset } from '../resolve.js';
import type { Db } from '../../core/db/open.js';
import type { ImportOptions } from '../../core/datasets/import.js';
import type { DatasetInfo } from '../../shared/types.js';

function datasetJson(d: DatasetInfo) {
  return { id: d.id, name: d.name, kind: d.kind, rows: d.rows, sha256: d.sha256 };
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import a Kaggle train.csv or test.csv',
  usage: `digit-workbench import FILE [--name NAME] [--kind train|test] [--json]

  Validates every row (header, 785/784 fields, pixels 0-255, labels 0-9) and stores the
  dataset in one transaction: a bad file is rejected with FILE:LINE:COLUMN and nothing is kept.
  Importing an identical file again returns the existing dataset.

  --name NAME        dataset name (default: the file name without .csv)
  --kind train|test  expect a labelled (train) or unlabelled (test) file; default: from the header
  --json             print {"id","name","kind","rows","sha256"} on stdout`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { name: { type: 'string' }, kind: { type: 'string' }, json: { type: 'boolean' } }, { min: 1, max: 1 });
    if (values.help) return void console.log(this.usage);
    const kind = optionalString(values, 'kind');
    if (kind !== undefined && kind !== 'train' && kind !== 'test') throw new UsageError(`--kind must be train or test (got "${kind}")`);
    // The store and the importer alone, not a Workbench: its training, inference and analysis modules would add
    // ~20 ms of loading to a command that takes ~0.3 s. A new data folder still starts with the sample, as there.
    // The parse starts first: its worker thread starts up (~30 ms) while the store's modules load and it opens.
    const { parseForImport, storeImport } = await import('../../core/datasets/import.js');
    const bar = values.json ? undefined : progressBar('importing');
    const opts: ImportOptions = {
      path: positionals[0],
      name: optionalString(values, 'name'),
      kind,
      onProgress: (read: number, total: number) => bar?.update(total ? read / total : 1, formatBytes(read)),
    };
    const stop = new AbortController();
    const parsing = parseForImport({ ...opts, signal: stop.signal });
    parsing.catch(() => undefined); // awaited below, unless the store fails to open first
    let db: Db | undefined;
    let result;
    try {
      const [{ openDatabase }, { resolveHome }, { installSample }] = await Promise.all([
        import('../../core/db/open.js'),
        import('../../core/home.js'),
        import('../../core/datasets/sample.js'),
      ]);
      db = openDatabase(resolveHome(ctx.home));
      installSample(db);
      result = storeImport(db, await parsing, opts);
    } finally {
      stop.abort(); // a parse still running is abandoned; a finished one does not mind
      await parsing.catch(() => undefined); // its worker and file are closed before the store
      db?.close();
    }
    bar?.done();
    if (values.json) return printJson(datasetJson(result.dataset));
    const d = result.dataset;
    console.log(
      result.existing
        ? `already imported as dataset ${d.id} "${d.name}" (same sha256)`
        : `imported dataset ${d.id} "${d.name}": ${int(d.rows)} ${d.kind} rows`,
    );
  },
};

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'list, rename or delete datasets',
  usage: `digit-workbench datasets [--json]
digit-workbench datasets rename ID|NAME NEW_NAME
digit-workbench datasets delete ID|NAME
digit-workbench datasets version ID|NAME [--relabel ROW=LABEL …] [--exclude ROW …] [--name NAME] [--json]

  Lists the datasets (the bundled sample-train and sample-test are there from the start).
  A dataset used by runs cannot be deleted until those runs are.
  version makes a new dataset with rows (1-based, as label-issues prints them) relabelled or left out;
  the original is never changed and the new one records its parent and every change.`,
  async run(argv, ctx) {
    const { values, positionals } = parse(
      argv,
      { json: { type: 'boolean' }, relabel: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true }, name: { type: 'string' } },
      { min: 0, max: 3 },
    );
    if (values.help) return void console.log(this.usage);
    const wb = ctx.workbench();
    const [sub, ref, newName] = positionals;
    if (sub === undefined || sub === 'list') {
      const list = await wb.call('datasets:list', undefined);
      if (values.json) return printJson(list.map(datasetJson));
      if (list.length === 0) return void console.log('no datasets yet: digit-workbench import train.csv');
      console.log(table(['ID', 'NAME', 'KIND', 'ROWS', 'SHA256'], list.map((d) => [d.id, d.name, d.kind, d.rows, d.sha256.slice(0, 12)])));
      return;
    }
    if (ref === undefined) throw new UsageError(`datasets ${sub} needs a dataset id or name`);
    const dataset = await resolveDataset(wb, ref);
    if (sub === 'rename') {
      if (newName === undefined) throw new UsageError('datasets rename needs the new name');
      const renamed = await wb.call('datasets:rename', { id: dataset.id, name: newName });
      return values.json ? printJson(datasetJson(renamed)) : console.log(`dataset ${renamed.id} is now "${renamed.name}"`);
    }
    if (sub === 'delete') {
      if (newName !== undefined) throw new UsageError(`unexpected argument "${newName}"`);
      await wb.call('datasets:delete', { id: dataset.id });
      return values.json ? printJson({ id: dataset.id }) : console.log(`deleted dataset ${dataset.id} "${dataset.name}"`);
    }
    if (sub === 'version') {
      if (newName !== undefined) throw new UsageError(`unexpected argument "${newName}"`);
      const { parseVersionChanges } = await import('./labels.js');
      const asList = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
      const changes = parseVersionChanges(asList(values.relabel), asList(values.exclude));
      const { dataset: made, existing } = await wb.call('datasets:version', { id: dataset.id, ...changes, name: optionalString(values, 'name') });
      if (values.json) return printJson({ ...datasetJson(made), parentId: dataset.id, existing });
      return console.log(
        existing
          ? `the same version exists already: dataset ${made.id} "${made.name}"`
          : `dataset ${made.id} "${made.name}": version of ${dataset.id} with ${changes.relabels.length} relabelled, ${changes.excludes.length} excluded (${int(made.rows)} rows)`,
      );
    }
    throw new UsageError(`unknown datasets subcommand "${sub}" (list, rename, delete, version)`);
  },
};
