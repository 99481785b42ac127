// Migration 1: datasets and their images (one byte per pixel), plus app settings.

export const up = `
CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  kind        TEXT    NOT NULL CHECK (kind IN ('train', 'test')),
  rows        INTEGER NOT NULL CHECK (rows > 0),
  sha256      TEXT    NOT NULL UNIQUE,
  source      TEXT    NOT NULL,
  -- 1 when a test set's answers are known (the bundled sample-test), so exports can be scored
  has_answers INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT    NOT NULL
);

CREATE TABLE images (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx        INTEGER NOT NULL,          -- 0-based row in the file
  label      INTEGER CHECK (label BETWEEN 0 AND 9),
  pixels     BLOB    NOT NULL,          -- 784 bytes, row-major 28×28
  PRIMARY KEY (dataset_id, idx)
) WITHOUT ROWID;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
