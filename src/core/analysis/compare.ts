// Comparing runs: curves, best-epoch figures, the hyperparameters (flattened, with which ones differ), seed groups
// as mean ± standard deviation, and a warning when two configurations differ by less than their seed noise.

import type { Db } from '../db/open.js';
import { badInput } from '../../shared/errors.js';
import type { Comparison, CompareRun, GroupStats, HyperparamRow } from '../../shared/analysis.js';
import { getRunDetail } from '../training/runs-repo.js';
import type { RunDetail } from '../../shared/runs.js';
import { flatten } from '../../shared/hyperparams-flat.js';

export { flatten, layerText } from '../../shared/hyperparams-flat.js';

/**
 * One row per setting across the runs. A part that is off in one run and on in another shows as "off" in each of
 * its rows (not "null" in one row and "–" in the others); "–" is left for a setting a run does not have at all.
 */
export function hyperparamRows(flat: Record<string, string>[]): HyperparamRow[] {
  const all = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => k !== 'seed');
  // A parent that is "off" in some runs but has fields in others is shown through those fields' rows.
  const keys = all.filter((k) => !all.some((other) => other.startsWith(`${k}.`)));
  return keys.map((key) => {
    const values = flat.map((f) => {
      if (key in f) return f[key];
      const parts = key.split('.');
      const off = parts.slice(0, -1).some((_, i) => f[parts.slice(0, i + 1).join('.')] === 'off');
      return off ? 'off' : '–';
    });
    return { key, values, differs: new Set(values).size > 1 };
  });
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function compareRun(r: RunDetail): CompareRun {
  const valLosses = r.epochs.map((e) => e.valLoss).filter((v): v is number => v !== null);
  return {
    id: r.id,
    preset: r.preset,
    seed: r.seed,
    groupKey: r.groupKey,
    status: r.status,
    epochs: r.epochs,
    bestValAcc: r.bestValAcc,
    bestEpoch: r.bestEpoch,
    maxAcc: r.epochs.length ? Math.max(...r.epochs.map((e) => e.acc)) : null,
    minLoss: r.epochs.length ? Math.min(...r.epochs.map((e) => e.loss)) : null,
    minValLoss: valLosses.length ? Math.min(...valLosses) : null,
  };
}

export function compareRuns(db: Db, runIds: number[]): Comparison {
  if (runIds.length < 1) throw badInput('runIds: pick at least one run');
  const details = runIds.map((id) => getRunDetail(db, id));
  const flat = details.map((d) => flatten({ ...d.hyperparams, seed: undefined }));
  const hyperparams = hyperparamRows(flat);
  hyperparams.unshift({ key: 'seed', values: details.map((d) => String(d.seed)), differs: new Set(details.map((d) => d.seed)).size > 1 });

  const byGroup = new Map<string, RunDetail[]>();
  for (const d of details) if (d.groupKey && d.bestValAcc !== null) byGroup.set(d.groupKey, [...(byGroup.get(d.groupKey) ?? []), d]);
  const groups: GroupStats[] = [...byGroup.entries()].map(([groupKey, members]) => {
    const accs = members.map((m) => m.bestValAcc as number);
    const losses = members.map((m) => compareRun(m).minValLoss).filter((v): v is number => v !== null);
    return {
      groupKey,
      label: `${members[0].preset} × ${members.length} seeds (runs ${members.map((m) => m.id).join(', ')})`,
      runIds: members.map((m) => m.id),
      meanBestValAcc: mean(accs),
      sdBestValAcc: sd(accs),
      meanMinValLoss: losses.length ? mean(losses) : null,
      sdMinValLoss: losses.length ? sd(losses) : null,
    };
  });

  const warnings: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const [a, b] = [groups[i], groups[j]];
      const gap = Math.abs(a.meanBestValAcc - b.meanBestValAcc);
      const noise = Math.max(a.sdBestValAcc, b.sdBestValAcc);
      if (gap < noise) {
        warnings.push(
          `${a.label} and ${b.label} differ by ${(gap * 100).toFixed(2)} points of val accuracy, less than the seed noise (sd ${(noise * 100).toFixed(2)}): the difference may be chance.`,
        );
      }
    }
  }
  return { runs: details.map(compareRun), hyperparams, groups, warnings };
}
