// Migration 11: autopilot jobs. A job keeps its budget, its plan (with the figures it rests on), the time it has
// spent and where it stands, so `autopilot resume ID` continues it after a crash; its members are ordinary runs
// pointing at it (runs.autopilot_id), its result a row of the submissions ledger.

export const up = `
CREATE TABLE autopilot_jobs (
  id               INTEGER PRIMARY KEY,
  dataset_id       INTEGER NOT NULL REFERENCES datasets(id),
  test_dataset_id  INTEGER NOT NULL REFERENCES datasets(id),
  budget_seconds   INTEGER NOT NULL CHECK (budget_seconds > 0),
  -- seconds worked so far, over every session (stopped or interrupted time does not count)
  elapsed_seconds  REAL    NOT NULL DEFAULT 0,
  target           TEXT    NOT NULL DEFAULT 'local' CHECK (target IN ('local', 'pool')),
  out_path         TEXT,                 -- where the submission goes (null: the data folder's exports/)
  force            INTEGER NOT NULL DEFAULT 0,
  status           TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'stopped', 'interrupted', 'failed')),
  stage            TEXT    NOT NULL CHECK (stage IN ('calibrating', 'training', 'selecting', 'predicting', 'done')),
  plan             TEXT,                 -- JSON AutopilotPlan
  ensemble         TEXT    NOT NULL DEFAULT '[]',
  val_acc          REAL,
  tta              INTEGER,
  submission_id    INTEGER REFERENCES submissions(id) ON DELETE SET NULL,
  notes            TEXT    NOT NULL DEFAULT '[]',   -- JSON list: what it cut on the way
  done_runs        TEXT    NOT NULL DEFAULT '[]',   -- JSON list: members it finished with (a resume leaves them)
  error            TEXT,
  owner_pid        INTEGER,
  owner_host       TEXT,
  stop_requested   INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT    NOT NULL,
  ended_at         TEXT
);

ALTER TABLE runs ADD COLUMN autopilot_id INTEGER REFERENCES autopilot_jobs(id) ON DELETE SET NULL;
CREATE INDEX runs_autopilot ON runs(autopilot_id);
`;
