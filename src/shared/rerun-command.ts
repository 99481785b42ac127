// The CLI command that re-creates a run: its preset, every hyperparameter that differs from the preset (the
// train command's own flags where it has one, --hyperparams JSON for the rest), its dataset, seed, backend and
// workers (the same seed gives the same metrics only on the same backend with the same workers).

import type { Hyperparams } from './hyperparams.js';
import type { RunDetail } from './runs.js';

const FLAGS: Partial<Record<keyof Hyperparams, (hp: Hyperparams) => string>> = {
  epochs: (hp) => `--epochs ${hp.epochs}`,
  batchSize: (hp) => `--batch-size ${hp.batchSize}`,
  learningRate: (hp) => `--learning-rate ${hp.learningRate}`,
  optimizer: (hp) => `--optimizer ${hp.optimizer}`,
  validation: (hp) => `--validation ${hp.validation.mode}:${hp.validation.ratio}`,
  batchNormStats: (hp) => `--bn-stats ${hp.batchNormStats}`,
};

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface RerunSource {
  preset: string;
  presetHyperparams: Hyperparams;
  hyperparams: Hyperparams;
  /** The dataset's name in this data folder (the CLI reads an all-digit argument as an id, so then its id). */
  dataset: { id: number; name: string };
  backend: string | null;
  workers: number | null;
}

export function rerunCommand(src: RerunSource): string {
  const { hyperparams: hp, presetHyperparams: base } = src;
  const dataset = /^\d+$/.test(src.dataset.name) ? String(src.dataset.id) : src.dataset.name;
  const parts = ['digit-workbench', 'train', '--dataset', shellQuote(dataset), '--preset', shellQuote(src.preset)];
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(hp) as (keyof Hyperparams)[]) {
    if (key === 'seed' || same(hp[key], base[key])) continue;
    const flag = FLAGS[key];
    if (flag) parts.push(flag(hp));
    else rest[key] = hp[key];
  }
  if (Object.keys(rest).length) parts.push('--hyperparams', shellQuote(JSON.stringify(rest)));
  parts.push(`--seed ${hp.seed}`);
  if (src.backend) parts.push(`--backend ${shellQuote(src.backend)}`);
  if (src.workers) parts.push(`--workers ${src.workers}`);
  return parts.join(' ');
}

/** The command for a stored run, given its preset's values and its dataset (null: deleted, so its id stands in). */
export function runRerunCommand(run: RunDetail, presetHyperparams: Hyperparams, dataset: { id: number; name: string } | null): string {
  return rerunCommand({
    preset: run.preset,
    presetHyperparams,
    hyperparams: run.hyperparams,
    dataset: dataset ?? { id: run.datasetId, name: String(run.datasetId) },
    backend: run.lineage?.backend ?? run.backend,
    workers: run.lineage?.workers ?? null,
  });
}
