// Migration 1: datasets and their images (one byte per pixel, in brotli-packed chunks), plus app settings.

export const up = `
CREATE TABLE datasets (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  kind         TEXT    NOT NULL CHECK (kind IN ('train', 'test')),
  rows         INTEGER NOT NULL CHECK (rows > 0),
  sha256       TEXT    NOT NULL UNIQUE,
  source       TEXT    NOT NULL,
  -- 1 when a test set's answers are known (the bundled sample-test), so exports can be scored
  has_answers  INTEGER NOT NULL DEFAULT 0,
  -- JSON [count of 0s, …, count of 9s] when labels are known, counted once at import; else NULL
  class_counts TEXT,
  created_at   TEXT    NOT NULL
);

-- One row per chunk of 1,024 images (the last one may hold fewer): 42 rows for a train.csv, not 42,000,
-- because per-row and per-page overheads made single images the import's main cost (see image-chunks.ts).
CREATE TABLE images (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  first      INTEGER NOT NULL,          -- 0-based row in the file of the chunk's first image
  count      INTEGER NOT NULL CHECK (count > 0),
  labels     BLOB,                      -- count bytes 0–9; NULL when unknown (a test set without answers)
  pixels     BLOB    NOT NULL,          -- count × 784 bytes, row-major 28×28, brotli-compressed
  PRIMARY KEY (dataset_id, first)
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
