// A member's validation predictions when its trainer never sent them: a run interrupted by a crash or a kill keeps
// its epochs and checkpoints but not the predictions a run writes as it ends, and the ensemble is chosen on those.
// They are computed from its best checkpoint on its own validation split, in the prediction process.

import { loadDatasetArrays } from '../datasets/repo.js';
import type { WorkbenchContext } from '../handlers.js';
import { PIXELS } from '../datasets/mnist-digits.js';
import { getRunDetail, loadCheckpoint, persistValPredictions } from '../training/runs-repo.js';
import { splitIndices } from '../training/split.js';

/** True when the run has validation predictions (now); false when it has no checkpoint to make them from. */
export async function ensureValPredictions(wb: WorkbenchContext, runId: number): Promise<boolean> {
  if (wb.db.prepare('SELECT 1 FROM val_predictions WHERE run_id = ?').get(runId)) return true;
  const checkpoint = loadCheckpoint(wb.db, runId, 'best') ?? loadCheckpoint(wb.db, runId, 'last');
  if (!checkpoint) return false;
  const run = getRunDetail(wb.db, runId);
  const hp = run.hyperparams;
  const data = loadDatasetArrays(wb.db, run.datasetId);
  const { val } = splitIndices(data.labels!, { ...hp.validation, seed: hp.seed });
  const pixels = new Uint8Array(val.length * PIXELS);
  val.forEach((row, i) => pixels.set(data.pixels.subarray(row * PIXELS, (row + 1) * PIXELS), i * PIXELS));
  const reply = await wb.inference.request({ type: 'predict', model: hp.model, checkpoint, pixels, tta: false, backend: wb.backendChoice() }, 'predicted');
  persistValPredictions(wb.db, runId, checkpoint.epoch, val, reply.probs);
  return true;
}
