// Migration 2: runs with their per-epoch metrics, checkpoints (weights + optimizer state), validation
// predictions, test-set predictions and the submission ledger.

export const up = `
CREATE TABLE runs (
  id              INTEGER PRIMARY KEY,
  dataset_id      INTEGER NOT NULL REFERENCES datasets(id),
  dataset_sha256  TEXT    NOT NULL,
  preset          TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'stopped', 'failed', 'interrupted')),
  hyperparams     TEXT    NOT NULL,     -- JSON, validated
  summary         TEXT,                 -- JSON Keras-style model summary
  seed            INTEGER NOT NULL,
  backend         TEXT,
  backend_note    TEXT,
  app_version     TEXT    NOT NULL,
  -- which process trains it: a run whose owner died is marked interrupted by whoever opens the store next
  owner_pid       INTEGER,
  owner_host      TEXT,
  stop_requested  INTEGER NOT NULL DEFAULT 0,
  error           TEXT,
  notes           TEXT    NOT NULL DEFAULT '',
  tags            TEXT    NOT NULL DEFAULT '[]',
  group_key       TEXT,                 -- runs repeated over seeds share it
  created_at      TEXT    NOT NULL,
  started_at      TEXT,
  ended_at        TEXT
);
CREATE INDEX runs_status ON runs(status);

CREATE TABLE epochs (
  run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL CHECK (epoch >= 1),
  loss              REAL    NOT NULL,
  acc               REAL    NOT NULL,
  val_loss          REAL,
  val_acc           REAL,
  lr                REAL    NOT NULL,
  seconds           REAL    NOT NULL,
  images_per_second REAL    NOT NULL,
  PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  slot      TEXT    NOT NULL CHECK (slot IN ('last', 'best')),
  epoch     INTEGER NOT NULL,
  weights   BLOB    NOT NULL,
  optimizer BLOB    NOT NULL,
  state     TEXT    NOT NULL,           -- JSON: callbacks, random state, step, learning rate
  PRIMARY KEY (run_id, slot)
);

CREATE TABLE val_predictions (
  run_id  INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  epoch   INTEGER NOT NULL,
  indices BLOB    NOT NULL,             -- Int32 image indices in the run's dataset
  probs   BLOB    NOT NULL              -- Float32, indices × 10
);

CREATE TABLE predictions (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  weights    TEXT    NOT NULL CHECK (weights IN ('best', 'last')),
  epoch      INTEGER NOT NULL,          -- the checkpoint's epoch: a later checkpoint makes this stale
  tta        INTEGER NOT NULL DEFAULT 0,
  probs      BLOB    NOT NULL,          -- Float32, rows × 10
  created_at TEXT    NOT NULL,
  UNIQUE (run_id, dataset_id, weights, tta)
);

CREATE TABLE submissions (
  id           INTEGER PRIMARY KEY,
  dataset_id   INTEGER NOT NULL REFERENCES datasets(id),
  runs         TEXT    NOT NULL,        -- JSON list of run ids
  weights      TEXT    NOT NULL,
  tta          INTEGER NOT NULL,
  path         TEXT    NOT NULL,
  sha256       TEXT    NOT NULL,
  rows         INTEGER NOT NULL,
  accuracy     REAL,                    -- when the answers are known
  confusion    TEXT,                    -- JSON 10×10 (true × predicted), when the answers are known
  kaggle_score REAL,
  created_at   TEXT    NOT NULL
);
`;
