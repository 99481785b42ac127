// Migration 7: dataset versions. A version is an ordinary dataset (its own rows and images); this table records
// what it was made from and how, so lineage survives even when the parent is deleted.

export const up = `
CREATE TABLE dataset_versions (
  dataset_id    INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  parent_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  parent_name   TEXT    NOT NULL,
  parent_sha256 TEXT    NOT NULL,
  relabels      TEXT    NOT NULL,       -- JSON [{row, from, to}], rows 1-based in the parent
  excludes      TEXT    NOT NULL        -- JSON [row], 1-based in the parent
);
`;
