// A run's weights as tfjs files (model.json + weights.bin), loadable with tf.loadLayersModel (ONNX: onnx-export.ts).
// The trainer process builds the tfjs topology; the core writes the folder atomically, with a marker file that lets
// a later --force replace this export and nothing else (model-folder.ts).

import type { Db } from '../db/open.js';
import { WorkbenchError } from '../../shared/errors.js';
import type { ModelExportResult } from '../../shared/model-export.js';
import type { BackendChoice, CheckpointData, WeightsSlot } from '../../shared/trainer-protocol.js';
import { checkTarget, writeFolderAtomic } from '../fs-atomic.js';
import { getRunDetail, loadCheckpoint } from '../training/runs-repo.js';
import type { TrainerClient } from './trainer-client.js';
import { appVersion } from '../version.js';
import { assertPreviousExport, MODEL_MARKER, modelMarker } from './model-folder.js';

/** A run's checkpoint, or a clear error saying why there is none. */
export function requireCheckpoint(db: Db, runId: number, slot: WeightsSlot): CheckpointData {
  const run = getRunDetail(db, runId);
  const checkpoint = loadCheckpoint(db, runId, slot);
  if (!checkpoint) throw new WorkbenchError('conflict', `run ${runId} (${run.status}) has no ${slot} weights yet: it has not completed an epoch`);
  return checkpoint;
}

export async function exportModel(
  db: Db,
  client: TrainerClient,
  opts: { runId: number; out: string; weights: WeightsSlot; force?: boolean; backend: BackendChoice | null },
): Promise<ModelExportResult> {
  const replace = { force: opts.force, ours: assertPreviousExport };
  checkTarget(opts.out, replace); // refuse a bad or taken folder before asking a trainer for work
  const run = getRunDetail(db, opts.runId);
  const checkpoint = requireCheckpoint(db, opts.runId, opts.weights);
  const artifacts = await client.request({ type: 'export', model: run.hyperparams.model, checkpoint, backend: opts.backend }, 'exported');
  const modelJson = {
    format: 'layers-model',
    generatedBy: `Digit Workbench ${appVersion()}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    userDefinedMetadata: { run: opts.runId, preset: run.preset, weights: opts.weights, epoch: checkpoint.epoch, input: '28×28×1 pixels scaled to 0–1' },
  };
  const files = {
    'model.json': JSON.stringify(modelJson),
    'weights.bin': new Uint8Array(artifacts.weightData),
    [MODEL_MARKER]: modelMarker({ runId: opts.runId, weights: opts.weights, epoch: checkpoint.epoch }),
  };
  writeFolderAtomic(opts.out, files, replace); // checks the folder again: it may have changed while the trainer worked
  return { format: 'tfjs', path: opts.out, files: Object.keys(files), epoch: checkpoint.epoch };
}
