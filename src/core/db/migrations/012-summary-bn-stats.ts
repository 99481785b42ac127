// Migration 12: cnn-strong's default BatchNorm statistics became `recomputed`; its runs from before then trained
// with Keras's moving averages (their stored hyperparameters have no batchNormStats, read as `keras`). The stored
// "changes from preset" summary of those runs was computed against the old preset and says nothing; cleared here,
// it is computed again on the next listing, against today's preset, and then names `batchNormStats keras`.

export const up = `
UPDATE runs SET param_summary = NULL
WHERE preset = 'cnn-strong' AND json_extract(hyperparams, '$.batchNormStats') IS NULL;
`;
