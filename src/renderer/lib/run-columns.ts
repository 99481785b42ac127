// The runs table's columns: what each shows, how it sorts, and the text the filter searches.

import type { RunInfo } from '../../shared/runs.js';

export type SortKey =
  | 'id' | 'status' | 'preset' | 'dataset' | 'backend' | 'bestValAcc' | 'lastValAcc' | 'epochs' | 'duration' | 'speed' | 'tags' | 'notes';

export interface Column {
  key: SortKey;
  label: string;
  numeric?: boolean;
}

export const COLUMNS: Column[] = [
  { key: 'id', label: 'Run', numeric: true },
  { key: 'status', label: 'Status' },
  { key: 'preset', label: 'Preset' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'backend', label: 'Backend' },
  { key: 'bestValAcc', label: 'Best val acc', numeric: true },
  { key: 'lastValAcc', label: 'Last val acc', numeric: true },
  { key: 'epochs', label: 'Epochs', numeric: true },
  { key: 'duration', label: 'Duration', numeric: true },
  { key: 'speed', label: 'Images/s', numeric: true },
  { key: 'tags', label: 'Tags' },
  { key: 'notes', label: 'Notes' },
];

const STATUS_ORDER = { running: 0, queued: 1, failed: 2, interrupted: 3, stopped: 4, completed: 5 };

function value(run: RunInfo, key: SortKey, datasetName: (id: number) => string): string | number | null {
  switch (key) {
    case 'status': return STATUS_ORDER[run.status];
    case 'dataset': return datasetName(run.datasetId);
    case 'epochs': return run.epochsDone;
    case 'duration': return run.durationSeconds;
    case 'speed': return run.imagesPerSecond;
    case 'tags': return run.tags.join(', ');
    default: return run[key];
  }
}

/** Sorts a copy; empty values (no val accuracy yet, no backend) go last in either direction. */
export function sortRuns(list: RunInfo[], key: SortKey, dir: 1 | -1, datasetName: (id: number) => string): RunInfo[] {
  return [...list].sort((a, b) => {
    const x = value(a, key, datasetName);
    const y = value(b, key, datasetName);
    if (x === null || x === '') return y === null || y === '' ? a.id - b.id : 1;
    if (y === null || y === '') return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return c === 0 ? a.id - b.id : c * dir;
  });
}

export function matches(run: RunInfo, text: string, datasetName: (id: number) => string): boolean {
  if (!text) return true;
  const hay = [`#${run.id}`, String(run.id), run.preset, run.status, run.backend ?? '', ...run.trainedBy, datasetName(run.datasetId), run.notes, ...run.tags]
    .join(' ')
    .toLowerCase();
  return text.toLowerCase().split(/\s+/).filter(Boolean).every((word) => hay.includes(word));
}
