// Predicting a file from the command line: one PNG, or every row of a Kaggle-format CSV.

import { extname } from 'node:path';
import { badInput } from '../../shared/errors.js';
import type { WeightsSlot } from '../../shared/trainer-protocol.js';
import type { Workbench } from '../workbench.js';
import { parseKaggleCsv } from '../datasets/csv-parser.js';
import { getRunDetail } from '../training/runs-repo.js';
import { decodePng } from './image-input.js';
import { argmaxRows } from '../../shared/digits.js';
import { requireCheckpoint } from './model-export.js';

export async function predictFile(wb: Workbench, opts: { runId: number; weights: WeightsSlot; file: string }): Promise<{ label: number; probs: number[] }[]> {
  const ext = extname(opts.file).toLowerCase();
  if (ext === '.png') return [await wb.predictImage(opts.runId, opts.weights, decodePng(opts.file))];
  if (ext !== '.csv') throw badInput(`${opts.file}: give a .png image or a Kaggle-format .csv`);
  const parsed = await parseKaggleCsv(opts.file, { pack: false }); // predicted, never stored
  const run = getRunDetail(wb.db, opts.runId);
  const checkpoint = requireCheckpoint(wb.db, opts.runId, opts.weights);
  const reply = await wb.inference.request(
    { type: 'predict', model: run.hyperparams.model, checkpoint, pixels: parsed.pixels.slice(), tta: false, backend: wb.backendChoice() },
    'predicted',
  );
  const labels = argmaxRows(reply.probs);
  return Array.from(labels, (label, i) => ({ label, probs: Array.from(reply.probs.subarray(i * 10, i * 10 + 10)) }));
}
