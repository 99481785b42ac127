// Downloads in serve mode: a submission or an ONNX model is exported into the data folder's exports/ (so its
// ledger points at a real file) and streamed to the browser, which saves it where the user chooses. A POST: it
// writes a file and a ledger row, and a GET must not change anything (a prefetch or a reload would export again).
// A tfjs model is a folder of files, which one download cannot carry: the CLI writes it on the server's machine.

import { createReadStream, mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Workbench } from '../core/workbench.js';
import { badInput, toErrorData } from '../shared/errors.js';
import { modelExportName } from '../shared/model-export.js';
import { forRemote } from './remote-paths.js';
import { sendError } from './respond.js';

function ids(value: string | null, field: string): number[] {
  if (!value || !/^\d+(,\d+)*$/.test(value)) throw badInput(`${field}: expected ids like 3 or 3,4`);
  return value.split(',').map(Number);
}

function exportsFolder(wb: Workbench): string {
  const folder = join(wb.home, 'exports');
  mkdirSync(folder, { recursive: true });
  return folder;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Exports what the URL asks for; returns the file to send and the headers that describe it. */
async function exportFor(wb: Workbench, url: URL): Promise<{ file: string; type: string; headers: Record<string, string> }> {
  const weights = url.searchParams.get('weights') ?? 'best';
  if (weights !== 'best' && weights !== 'last') throw badInput(`weights: expected best or last (got "${weights}")`);
  if (url.pathname === '/download/submission') {
    const runIds = ids(url.searchParams.get('runs'), 'runs');
    const [datasetId] = ids(url.searchParams.get('dataset'), 'dataset');
    const out = join(exportsFolder(wb), `submission-run${runIds.join('-')}-${stamp()}.csv`);
    const submission = await wb.call('submissions:export', { runIds, datasetId, weights, tta: url.searchParams.get('tta') === '1', out });
    return { file: out, type: 'text/csv; charset=utf-8', headers: { 'X-Submission-Id': String(submission.id) } };
  }
  if (url.pathname === '/download/model') {
    const [runId, ...more] = ids(url.searchParams.get('run'), 'run');
    if (more.length) throw badInput('run: give one run id (a model is one run’s)');
    const format = url.searchParams.get('format') ?? 'onnx';
    if (format !== 'onnx') throw badInput(`format: only onnx downloads (got "${format}"); a tfjs model is a folder: digit-workbench model export --run ${runId} --out DIR on the server's machine`);
    // The base name (a tfjs folder's) with the time before the extension, as submissions' names have it.
    const out = join(exportsFolder(wb), `${modelExportName(runId, weights, 'tfjs')}-${stamp()}.onnx`);
    const result = await wb.call('runs:export-model', { id: runId, out, weights, format: 'onnx' });
    return { file: out, type: 'application/octet-stream', headers: { 'X-Model-Epoch': String(result.epoch) } };
  }
  throw badInput(`nothing to download at ${url.pathname}`);
}

export async function handleDownload(wb: Workbench, url: URL, res: ServerResponse, folders: readonly string[]): Promise<void> {
  try {
    const { file, type, headers } = await exportFor(wb, url);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="${basename(file)}"`,
      ...headers,
      'Cache-Control': 'no-store',
    });
    // A client that goes away mid-file ends the response with it; the export itself is complete on disk.
    pipeline(createReadStream(file), res).catch(() => undefined);
  } catch (err) {
    sendError(res, 400, forRemote(toErrorData(err), folders));
  }
}
