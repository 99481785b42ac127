// Migration 3: a run records how many data-parallel training workers (threads) it used, beside its backend: the
// same seed gives the same metrics only on the same backend with the same worker count (the gradient of a batch
// is summed in a fixed order per worker count), so a resume must know both.

export const up = `
ALTER TABLE runs ADD COLUMN workers INTEGER CHECK (workers IS NULL OR workers >= 1);
`;
