// Migration "lineage": where each run came from (app version and commit, dataset, backend and its version, workers,
// host, OS, Node/Electron) as one JSON column, the trainer's CPU % and memory per epoch, and each run's own log.

export const up = `
ALTER TABLE runs ADD COLUMN lineage TEXT;   -- JSON RunLineage, written when a trainer starts the run
ALTER TABLE epochs ADD COLUMN cpu_percent REAL;  -- the trainer process over the epoch (100 = one core busy)
ALTER TABLE epochs ADD COLUMN rss_mb REAL;       -- the trainer's resident memory at the epoch's end

CREATE TABLE run_logs (
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  at      TEXT    NOT NULL,
  level   TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message TEXT    NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
`;
