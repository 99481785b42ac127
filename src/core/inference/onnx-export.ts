// A run's model as one ONNX file (onnx-graph.ts builds it): written atomically, recorded with its sha256 in the
// model_exports ledger, and replaced by --force only while the file at the path is still one the ledger knows.

import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { Db } from '../db/open.js';
import { badInput, conflict } from '../../shared/errors.js';
import type { ModelExportResult } from '../../shared/model-export.js';
import type { WeightsSlot } from '../../shared/trainer-protocol.js';
import { checkTarget, writeFileAtomic } from '../fs-atomic.js';
import { getRunDetail } from '../training/runs-repo.js';
import { appVersion } from '../version.js';
import { requireCheckpoint } from './model-export.js';
import { onnxModel } from './onnx-graph.js';
import { encodeOnnx } from './onnx-proto.js';

function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * `--force` replaces a file only when its contents are an ONNX export the ledger records: a model the user
 * converted, quantised or edited by hand is theirs, however much it looks like ours. Only a file whose size some
 * export had is read at all.
 */
export function assertPreviousOnnx(db: Db): (target: string) => void {
  return (target) => {
    const keep = 'it is not replaced: choose another file, or move it away first';
    const stat = lstatSync(target);
    if (stat.isSymbolicLink()) throw conflict(`${target} is a symbolic link, not a model Digit Workbench wrote: ${keep}`);
    if (!stat.isFile()) throw conflict(`${target} is not a regular file: ${keep}`);
    const hashes = db.prepare('SELECT sha256 FROM model_exports WHERE bytes = ?').pluck().all(stat.size) as string[];
    if (hashes.length === 0 || !hashes.includes(sha256OfFile(target))) {
      throw conflict(`${target} is not a model Digit Workbench wrote (its contents match no export in the ledger): ${keep}`, { path: target });
    }
  };
}

/** Where an ONNX export may go: a .onnx file (checkTarget then checks the path itself). */
function checkOnnxName(out: string): void {
  if (!out.toLowerCase().endsWith('.onnx')) throw badInput(`out: an ONNX export is one .onnx file (got "${out}")`);
}

export function exportOnnx(db: Db, opts: { runId: number; out: string; weights: WeightsSlot; force?: boolean }): ModelExportResult {
  checkOnnxName(opts.out);
  const replace = { force: opts.force, ours: assertPreviousOnnx(db) };
  checkTarget(opts.out, replace);
  const run = getRunDetail(db, opts.runId);
  const checkpoint = requireCheckpoint(db, opts.runId, opts.weights);
  const weights = new Float32Array(new Uint8Array(checkpoint.weights).buffer); // a copy: the blob may sit at any offset
  const model = onnxModel(run.hyperparams.model, weights, {
    appVersion: appVersion(),
    runId: opts.runId,
    preset: run.preset,
    datasetSha256: run.datasetSha256,
    validationAccuracy: run.epochs.find((e) => e.epoch === checkpoint.epoch)?.valAcc ?? null,
    weights: opts.weights,
    epoch: checkpoint.epoch,
  });
  const bytes = encodeOnnx(model);
  writeFileAtomic(opts.out, bytes, replace);
  db.prepare('INSERT INTO model_exports (run_id, weights, epoch, format, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    opts.runId, opts.weights, checkpoint.epoch, 'onnx', opts.out, createHash('sha256').update(bytes).digest('hex'), bytes.length, new Date().toISOString(),
  );
  return { format: 'onnx', path: opts.out, files: [basename(opts.out)], epoch: checkpoint.epoch };
}
