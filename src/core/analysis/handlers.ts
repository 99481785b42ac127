// The analysis domain's facade methods: confusion, digits, diff, compare, ensembles, saliency, augmentation, embedding.

import { badInput } from '../../shared/errors.js';
import { loadDigit } from '../datasets/repo.js';
import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import * as runs from '../training/runs-repo.js';
import { confusionReport, digitPage } from './errors.js';
import { compareRuns } from './compare.js';
import { diffRuns, ensembleValidation } from './diff.js';
import { augmentationPreview, explainDigit } from './explain.js';
import { computeEmbedding, storedEmbedding } from './embedding.js';

export function analysisHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'analysis'> | MethodsOf<'embedding'>> {
  return {
    'analysis:confusion': ({ id }) => confusionReport(wb.db, id),
    'analysis:digits': ({ id, ...q }) => digitPage(wb.db, { runId: id, ...q }),
    'analysis:diff': ({ runA, runB }) => diffRuns(wb.db, runA, runB),
    'analysis:compare': ({ runIds }) => compareRuns(wb.db, runIds),
    'analysis:ensemble': ({ runIds }) => ensembleValidation(wb.db, runIds),
    'analysis:explain': ({ runId, weights, datasetId, idx, pixels, cls }) => {
      let image: Uint8Array;
      if (pixels !== undefined) image = new Uint8Array(Buffer.from(pixels, 'base64'));
      else if (idx !== undefined) image = loadDigit(wb.db, datasetId ?? runs.getRun(wb.db, runId).datasetId, idx);
      else throw badInput('give either pixels or idx (with datasetId, default: the run’s dataset)');
      if (image.length !== 784) throw badInput(`pixels: must be 784 bytes (28×28), got ${image.length}`);
      return explainDigit(wb.predictContext, { runId, weights: weights ?? 'best', pixels: image, cls: cls ?? null });
    },
    'analysis:augment': ({ runId, datasetId, idx, count, seed }) => ({
      images: augmentationPreview(wb.db, { runId, pixels: loadDigit(wb.db, datasetId, idx), count: count ?? 16, seed: seed ?? 1 }),
    }),
    'embedding:get': ({ id, neighbors, seed }) => storedEmbedding(wb.db, { runId: id, neighbors, seed }),
    'embedding:compute': ({ id, neighbors, seed }) =>
      computeEmbedding(wb.predictContext, {
        runId: id,
        neighbors,
        seed,
        onProgress: (stage, done, total) => wb.emit({ type: 'embedding:progress', runId: id, stage, done, total }),
      }),
  };
}
