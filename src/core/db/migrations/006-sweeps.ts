// Migration 6: sweeps. A sweep's spec (search space, strategy, seed, pruning) is kept whole so it can be repeated
// and resumed; its trials are ordinary runs pointing at it. pruned_at is the epoch ASHA stopped a trial at (the run
// itself ends "stopped" and keeps its epochs; the flag says why).

export const up = `
CREATE TABLE sweeps (
  id          INTEGER PRIMARY KEY,
  spec        TEXT    NOT NULL,          -- JSON SweepSpec
  status      TEXT    NOT NULL CHECK (status IN ('running', 'stopped', 'completed', 'interrupted')),
  -- the process proposing its trials: a sweep whose owner died is marked interrupted like a run
  owner_pid   INTEGER,
  owner_host  TEXT,
  created_at  TEXT    NOT NULL,
  ended_at    TEXT
);

ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN pruned_at INTEGER;
CREATE INDEX runs_sweep ON runs(sweep_id);
`;
