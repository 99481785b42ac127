// Migration 9: the runs table's figures kept on the run, so listing thousands of runs reads one row each instead
// of every epoch. Triggers on epochs keep them true whichever process writes an epoch (a trainer's supervisor, the
// pool link, a resume's trim); the best epoch follows isBetterEpoch (src/shared/runs.ts): highest val accuracy,
// then the lower val loss (none counts as worst), then the earliest. param_summary is written by the app (it
// needs the presets): the hyperparameters that differ from the run's preset, JSON; NULL until summarised.
// A partial index finds pool runs' workers without scanning every local epoch.

/** SET clause recomputing a run's figures from its epochs; `run` is the run id expression. */
function recompute(run: string): string {
  const best = `FROM epochs b WHERE b.run_id = ${run} AND b.val_acc IS NOT NULL ORDER BY b.val_acc DESC, b.val_loss IS NULL, b.val_loss, b.epoch LIMIT 1`;
  return `
    epochs_done   = (SELECT COUNT(*) FROM epochs e WHERE e.run_id = ${run}),
    train_seconds = (SELECT COALESCE(SUM(seconds), 0) FROM epochs e WHERE e.run_id = ${run}),
    mean_ips      = (SELECT AVG(images_per_second) FROM epochs e WHERE e.run_id = ${run}),
    last_val_acc  = (SELECT val_acc FROM epochs e WHERE e.run_id = ${run} ORDER BY epoch DESC LIMIT 1),
    best_epoch    = (SELECT b.epoch ${best}),
    best_val_acc  = (SELECT b.val_acc ${best})`;
}

export const up = `
ALTER TABLE runs ADD COLUMN epochs_done   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN train_seconds REAL    NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN mean_ips      REAL;
ALTER TABLE runs ADD COLUMN best_epoch    INTEGER;
ALTER TABLE runs ADD COLUMN best_val_acc  REAL;
ALTER TABLE runs ADD COLUMN last_val_acc  REAL;
ALTER TABLE runs ADD COLUMN param_summary TEXT;

CREATE TRIGGER epochs_summary_insert AFTER INSERT ON epochs BEGIN
  UPDATE runs SET ${recompute('NEW.run_id')} WHERE id = NEW.run_id;
END;
CREATE TRIGGER epochs_summary_update AFTER UPDATE ON epochs BEGIN
  UPDATE runs SET ${recompute('NEW.run_id')} WHERE id = NEW.run_id;
END;
CREATE TRIGGER epochs_summary_delete AFTER DELETE ON epochs BEGIN
  UPDATE runs SET ${recompute('OLD.run_id')} WHERE id = OLD.run_id;
END;

UPDATE runs SET ${recompute('runs.id')};

CREATE INDEX epochs_worker ON epochs(run_id, worker) WHERE worker IS NOT NULL;
`;
