// The inference domain's facade methods: model exports, submissions and their Kaggle ledger, one-image predictions.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import { exportModel } from './model-export.js';
import { exportOnnx } from './onnx-export.js';
import { exportSubmission, listSubmissions, setKaggleScore } from './submissions.js';
import { testSetWarnings } from './data-shift.js';

type InferenceMethods = 'runs:export-model' | MethodsOf<'submissions'> | MethodsOf<'predict'>;

export function inferenceHandlers(wb: WorkbenchContext): HandlersOf<InferenceMethods> {
  return {
    'runs:export-model': ({ id, out, weights, format, force }) =>
      format === 'onnx'
        ? exportOnnx(wb.db, { runId: id, out, weights: weights ?? 'best', force })
        : exportModel(wb.db, wb.inference, { runId: id, out, weights: weights ?? 'best', force, backend: wb.backendChoice() }),
    'submissions:export': async ({ runIds, datasetId, weights, tta, out, force }) => {
      const result = await exportSubmission(wb.predictContext, {
        runIds,
        datasetId,
        weights: weights ?? 'best',
        tta: tta ?? false,
        out,
        force,
        onProgress: (done, total) => wb.emit({ type: 'predict:progress', done, total }),
      });
      wb.emit({ type: 'submissions:changed' });
      return result;
    },
    'submissions:check': ({ runIds, datasetId }) => ({ warnings: testSetWarnings(wb.db, runIds, datasetId) }),
    'submissions:list': () => listSubmissions(wb.db),
    'submissions:score': ({ id, score }) => {
      const result = setKaggleScore(wb.db, id, score);
      wb.emit({ type: 'submissions:changed' });
      return result;
    },
    'predict:image': ({ runId, weights, pixels }) => wb.predictImage(runId, weights ?? 'best', new Uint8Array(Buffer.from(pixels, 'base64'))),
  };
}
