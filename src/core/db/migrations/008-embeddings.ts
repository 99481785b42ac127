// Migration 8: embedding maps. One row per run and UMAP parameters (neighbours, seed), holding the checkpoint epoch
// it was computed from (a later best checkpoint makes it stale), the validation rows, their 2-D coordinates and
// the probabilities of the same forward pass, so reopening the map needs no trainer.

export const up = `
CREATE TABLE embeddings (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  neighbors   INTEGER NOT NULL CHECK (neighbors >= 2),
  seed        INTEGER NOT NULL CHECK (seed >= 0),
  epoch       INTEGER NOT NULL,          -- the best checkpoint's epoch
  width       INTEGER NOT NULL,          -- units of the penultimate layer
  backend     TEXT    NOT NULL,
  indices     BLOB    NOT NULL,          -- Int32 dataset rows (0-based) of the validation digits
  coords      BLOB    NOT NULL,          -- Float32, indices × 2
  probs       BLOB    NOT NULL,          -- Float32, indices × 10
  computed_at TEXT    NOT NULL,
  PRIMARY KEY (run_id, neighbors, seed)
);
`;
