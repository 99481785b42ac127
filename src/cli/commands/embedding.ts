// embedding: a run's embedding map from the terminal (UMAP of the validation digits' penultimate-layer activations).

import { optionalInt, parse, UsageError } from '../args.js';
import { printJson, type Command } from '../command.js';
import { progressBar, table } from '../format.js';
import { DEFAULT_EMBEDDING_SEED, DEFAULT_NEIGHBORS, separationRatio, type EmbeddingStage } from '../../shared/embedding.js';

const STAGES: Record<EmbeddingStage, string> = {
  activations: 'penultimate-layer activations of the validation digits',
  neighbours: 'nearest-neighbour graph',
  layout: 'UMAP layout',
};

export const embeddingCommand: Command = {
  name: 'embedding',
  summary: "a run's validation digits mapped to 2-D by UMAP of its penultimate layer",
  usage: `digit-workbench embedding RUN_ID [--neighbors N] [--seed S] [--recompute] [--json]

  Runs the validation digits through the run's best weights, takes the activations that feed its last dense layer
  (LeNet-5: 84 units; cnn-strong: 128) and lays them out in 2-D with UMAP (umap-js, --neighbors default
  ${DEFAULT_NEIGHBORS}, min-dist 0.1), seeded by --seed (default ${DEFAULT_EMBEDDING_SEED}): the same run, weights and seed give the
  same map. The map is stored per run and parameters; a stored one is shown at once unless --recompute.

  --json   {"runId", "points": [{"row", "x", "y", "label", "predicted"}]}; row is the digit's 1-based position
           among the dataset's rows (the CSV line number minus one), as label-issues prints it`,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { neighbors: { type: 'string' }, seed: { type: 'string' }, recompute: { type: 'boolean' }, json: { type: 'boolean' } }, { min: 0, max: 1 });
    if (values.help) return void console.log(this.usage);
    const ref = positionals[0];
    if (ref === undefined) throw new UsageError('embedding needs a run id, e.g. digit-workbench embedding 3');
    if (!/^\d+$/.test(ref) || Number(ref) < 1) throw new UsageError(`"${ref}" is not a run id (see: digit-workbench runs)`);
    const id = Number(ref);
    const neighbors = optionalInt(values, 'neighbors');
    const seed = optionalInt(values, 'seed');
    if (neighbors !== undefined && (neighbors < 2 || neighbors > 200)) throw new UsageError(`--neighbors must be from 2 to 200 (got ${neighbors})`);
    if (seed !== undefined && (seed < 0 || seed > 2 ** 31 - 1)) throw new UsageError(`--seed must be from 0 to 2147483647 (got ${seed})`);
    const params = { id, neighbors: neighbors ?? DEFAULT_NEIGHBORS, seed: seed ?? DEFAULT_EMBEDDING_SEED };
    const wb = ctx.workbench();
    let map = values.recompute ? null : await wb.call('embedding:get', params);
    const stored = map !== null;
    if (!map) {
      let stage: EmbeddingStage | null = null;
      const bar = values.json ? undefined : progressBar('UMAP layout');
      const off = wb.on((e) => {
        if (e.type !== 'embedding:progress' || e.runId !== id || values.json) return;
        if (e.stage !== stage) {
          stage = e.stage;
          bar?.done();
          process.stderr.write(`${STAGES[e.stage]}…\n`);
        }
        if (e.stage === 'layout') bar?.update(e.done / e.total, `epoch ${e.done}/${e.total}`);
      });
      try {
        map = await wb.call('embedding:compute', params);
      } finally {
        bar?.done();
        off();
      }
    }
    if (values.json) {
      return printJson({ runId: map.runId, points: map.points.map((p) => ({ row: p.idx + 1, x: p.x, y: p.y, label: p.label, predicted: p.predicted })) });
    }
    const wrong = map.points.filter((p) => p.label !== p.predicted).length;
    const byClass = Array.from({ length: 10 }, (_, c) => map.points.filter((p) => p.label === c));
    const rows = byClass.map((pts, c) => {
      const mean = (f: (p: { x: number; y: number }) => number) => (pts.length ? pts.reduce((a, p) => a + f(p), 0) / pts.length : NaN);
      const fmt = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(2));
      return [c, pts.length, pts.filter((p) => p.predicted !== c).length, fmt(mean((p) => p.x)), fmt(mean((p) => p.y))];
    });
    console.log(table(['LABEL', 'DIGITS', 'WRONG', 'CENTRE X', 'CENTRE Y'], rows));
    console.log(
      `run ${map.runId} (best weights, epoch ${map.epoch}) · ${map.points.length} validation digits, ${wrong} misclassified · ` +
        `penultimate layer ${map.width} units · UMAP ${map.neighbors} neighbours, seed ${map.seed} · backend ${map.backend}` +
        `${stored ? ` · stored ${map.computedAt}` : ''}`,
    );
    console.log(`same-label / other-label mean distance ${separationRatio(map.points).toFixed(3)} (1 = no structure; lower separates the classes better)`);
  },
};
