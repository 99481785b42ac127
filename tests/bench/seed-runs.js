// Fills a data folder's database with many realistic runs without training them: varied presets and
// hyperparameters, sweeps (with ASHA-pruned trials), seed groups, tags, notes and statuses, 10–30 epochs of metrics
// each and small checkpoint blobs. Rows follow the numbered migrations (src/core/db/migrations); the caller passes
// the core's resolveHyperparams so every run's hyperparams are what the core itself would have stored, and its
// paramSummary to store each run's summary as createRun does (without it, runs look like ones from before
// migration 009, summarised on first listing).
// Used by the runs-scale bench and the runs-list tests; deterministic for a given seed.

// The app's own seeded generator (built by `npm run build:node`, which npm test and the bench scripts run first),
// so the same seed fills the same folder.
import { mulberry32 as generator } from '../../build/node/shared/random.js';

const TAGS = ['baseline', 'lr-test', 'augment', 'kaggle', 'night', 'ablation', 'bn', 'dropout', 'long', 'short'];
const NOTES = ['', '', '', 'best so far', 'try a lower learning rate next', 'noisy curve', 'submitted to Kaggle', 'rerun of a crashed run'];

/**
 * @param {import('better-sqlite3').Database} db an open database at the latest migration
 * @param {{ count: number, datasetId: number, datasetSha256: string, resolve: (preset: string, overrides: object) => any,
 *   summary?: (preset: string, hyperparams: any) => Record<string, string>, seed?: number, blobBytes?: number }} opts
 * @returns {{ runs: number, epochs: number, sweeps: number }}
 */
export function seedRuns(db, opts) {
  const rnd = generator(opts.seed ?? 1);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const blob = Buffer.alloc(opts.blobBytes ?? 2048, 7);
  const insertSweep = db.prepare("INSERT INTO sweeps (spec, status, created_at, ended_at) VALUES (?, 'completed', ?, ?)");
  // Stores from before migration 009 (a peer checkout in the bench) have no summary column.
  const summarised = db.prepare("SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'param_summary'").pluck().get() > 0;
  const columns = ['dataset_id', 'dataset_sha256', 'preset', 'status', 'hyperparams', 'param_summary', 'seed', 'error', 'notes', 'tags', 'group_key',
    'sweep_id', 'pruned_at', 'created_at', 'started_at', 'ended_at'].filter((c) => summarised || c !== 'param_summary');
  const insert = db.prepare(
    `INSERT INTO runs (${columns.join(', ')}, backend, workers, app_version, target) VALUES (${columns.map(() => '?').join(', ')}, 'wasm', 2, '0.0.0-bench', 'local')`,
  );
  const insertRun = { run: (...values) => insert.run(...values.filter((_, i) => summarised || i !== 5)) };
  const insertEpoch = db.prepare(
    'INSERT INTO epochs (run_id, epoch, loss, acc, val_loss, val_acc, lr, seconds, images_per_second, cpu_percent, rss_mb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertCheckpoint = db.prepare("INSERT INTO checkpoints (run_id, slot, epoch, weights, optimizer, state) VALUES (?, ?, ?, ?, ?, '{}')");

  let epochs = 0;
  let sweeps = 0;
  let sweep = null; // { id, left, preset }
  let group = null; // { key, left, preset, overrides }
  const t0 = Date.parse('2026-06-01T08:00:00Z');
  db.transaction(() => {
    for (let i = 0; i < opts.count; i++) {
      const created = new Date(t0 + i * 60_000).toISOString();
      let preset;
      let overrides = {};
      let groupKey = null;
      let sweepId = null;
      if (!sweep && !group && rnd() < 0.02) {
        preset = pick(['seed-lenet5', 'seed-lenet5', 'dnn', 'cnn-strong']);
        const spec = { preset, search: pick(['grid', 'random', 'tpe']), trials: 40 + Math.floor(rnd() * 80), seed: i };
        sweep = { id: Number(insertSweep.run(JSON.stringify(spec), created, created).lastInsertRowid), left: spec.trials, preset };
        sweeps++;
      } else if (!sweep && !group && rnd() < 0.04) {
        group = { key: `g${i}`, left: 3 + Math.floor(rnd() * 3), preset: pick(['seed-lenet5', 'dnn', 'cnn-strong']), overrides: { batchSize: pick([32, 64, 128]) } };
      }
      if (sweep) {
        preset = sweep.preset;
        sweepId = sweep.id;
        overrides = {
          learningRate: Number((10 ** (-4 + 2 * rnd())).toPrecision(3)),
          batchSize: pick([32, 64, 128, 256]),
          epochs: 10 + Math.floor(rnd() * 21),
        };
        if (preset === 'cnn-strong') overrides.augmentation = { rotation: Math.floor(rnd() * 16), zoom: 0.1, shift: 0.1 };
        if (--sweep.left === 0) sweep = null;
      } else if (group) {
        preset = group.preset;
        groupKey = group.key;
        overrides = { ...group.overrides, seed: 1 + group.left };
        if (--group.left === 0) group = null;
      } else {
        preset = pick(['seed-lenet5', 'seed-lenet5', 'seed-lenet5', 'dnn', 'cnn-strong']);
        if (rnd() < 0.5) overrides.learningRate = pick([3e-4, 5e-4, 1e-3, 2e-3]);
        if (rnd() < 0.3) overrides.optimizer = pick(['sgd', 'rmsprop']);
        overrides.epochs = 10 + Math.floor(rnd() * 21);
      }
      const hp = opts.resolve(preset, overrides);
      const planned = hp.epochs;
      const roll = rnd();
      const status = roll < 0.8 ? 'completed' : roll < 0.9 ? 'stopped' : roll < 0.96 ? 'failed' : 'interrupted';
      const pruned = sweepId !== null && status === 'stopped' ? 1 + Math.floor(rnd() * 3) * 3 : null;
      const done = status === 'completed' ? planned : pruned ?? Math.max(1, Math.floor(planned * rnd()));
      const tags = TAGS.filter(() => rnd() < 0.12);
      if (sweepId !== null) tags.push(`sweep-${sweepId}`);
      const error = status === 'failed' ? 'the trainer exited with signal SIGKILL during epoch ' + (done + 1) : status === 'interrupted' ? 'the process that ran it ended before it finished' : null;
      const runId = Number(
        insertRun.run(opts.datasetId, opts.datasetSha256, preset, status, JSON.stringify(hp), opts.summary ? JSON.stringify(opts.summary(preset, hp)) : null, hp.seed, error, pick(NOTES), JSON.stringify(tags), groupKey, sweepId, pruned, created, created, created)
          .lastInsertRowid,
      );
      // A learning curve: accuracy rising towards a ceiling that depends on the preset and the learning rate.
      const ceiling = (preset === 'cnn-strong' ? 0.994 : preset === 'dnn' ? 0.97 : 0.985) - Math.abs(Math.log10(hp.learningRate) + 3) * 0.01;
      const speed = preset === 'cnn-strong' ? 270 : preset === 'dnn' ? 20_000 : 11_000;
      let best = 1;
      let bestAcc = -1;
      for (let e = 1; e <= done; e++) {
        const acc = ceiling - (ceiling - 0.85) * Math.exp(-e / 3) + (rnd() - 0.5) * 0.004;
        const valAcc = Math.min(0.9999, acc - 0.003 + (rnd() - 0.5) * 0.006);
        const loss = Math.max(0.005, (1 - acc) * 2.5 + rnd() * 0.01);
        const valLoss = Math.max(0.005, (1 - valAcc) * 2.7 + rnd() * 0.01);
        const ips = speed * (0.9 + rnd() * 0.2);
        insertEpoch.run(runId, e, loss, acc, valLoss, valAcc, hp.learningRate, 7200 / ips, ips, 150 + rnd() * 50, 300 + rnd() * 100);
        if (valAcc > bestAcc) {
          bestAcc = valAcc;
          best = e;
        }
        epochs++;
      }
      if (done > 0) {
        insertCheckpoint.run(runId, 'last', done, blob, blob);
        insertCheckpoint.run(runId, 'best', best, blob, blob);
      }
    }
  })();
  return { runs: opts.count, epochs, sweeps };
}
