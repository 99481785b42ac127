// Types of seed-runs.js for the TypeScript tests that fill a store with it.
import type Database from 'better-sqlite3';

export function seedRuns(
  db: Database.Database,
  opts: {
    count: number;
    datasetId: number;
    datasetSha256: string;
    resolve: (preset: string, overrides: Record<string, unknown>) => unknown;
    summary?: (preset: string, hyperparams: never) => Record<string, string>;
    seed?: number;
    blobBytes?: number;
  },
): { runs: number; epochs: number; sweeps: number };
