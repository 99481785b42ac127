// Migration 4: the worker pool. A run says where it trains (this machine or the pool) and which pool job trains
// it now; every epoch records the worker that trained it (NULL: this machine).

export const up = `
ALTER TABLE runs ADD COLUMN target TEXT NOT NULL DEFAULT 'local' CHECK (target IN ('local', 'pool'));
ALTER TABLE runs ADD COLUMN pool_job TEXT;
ALTER TABLE epochs ADD COLUMN worker TEXT;
`;
