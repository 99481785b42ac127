// Migration 10: the ledger of model files the app wrote (ONNX today), as the submissions table is for CSVs: the
// sha256 of each file lets a later --force replace a file only while it is still exactly what the app wrote. No
// foreign key to runs: the file outlives a deleted run, and is still the app's to replace.

export const up = `
CREATE TABLE model_exports (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL,
  weights    TEXT    NOT NULL CHECK (weights IN ('best', 'last')),
  epoch      INTEGER NOT NULL,          -- the checkpoint's epoch
  format     TEXT    NOT NULL CHECK (format IN ('onnx')),
  path       TEXT    NOT NULL,
  sha256     TEXT    NOT NULL,
  bytes      INTEGER NOT NULL,          -- a file of another size is not read to be hashed
  created_at TEXT    NOT NULL
);
CREATE INDEX model_exports_bytes ON model_exports(bytes);
`;
