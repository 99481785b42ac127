// Downloads in serve mode: a submission is exported into the data folder's exports/ (so the ledger points at a
// real file) and streamed to the browser, which saves it where the user chooses. A POST: it writes a file and a
// ledger row, and a GET must not change anything (a prefetch or a reload would export again).

import { createReadStream, mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Workbench } from '../core/workbench.js';
import { badInput, toErrorData } from '../shared/errors.js';
import { sendError } from './respond.js';

function ids(value: string | null, field: string): number[] {
  if (!value || !/^\d+(,\d+)*$/.test(value)) throw badInput(`${field}: expected ids like 3 or 3,4`);
  return value.split(',').map(Number);
}

export async function handleDownload(wb: Workbench, url: URL, res: ServerResponse): Promise<void> {
  try {
    if (url.pathname !== '/download/submission') throw badInput(`nothing to download at ${url.pathname}`);
    const runIds = ids(url.searchParams.get('runs'), 'runs');
    const [datasetId] = ids(url.searchParams.get('dataset'), 'dataset');
    const weights = url.searchParams.get('weights') ?? 'best';
    const folder = join(wb.home, 'exports');
    mkdirSync(folder, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = join(folder, `submission-run${runIds.join('-')}-${stamp}.csv`);
    const submission = await wb.call('submissions:export', {
      runIds,
      datasetId,
      weights: weights as 'best' | 'last',
      tta: url.searchParams.get('tta') === '1',
      out,
    });
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${basename(out)}"`,
      'X-Submission-Id': String(submission.id),
      'Cache-Control': 'no-store',
    });
    // A client that goes away mid-file ends the response with it; the export itself is complete on disk.
    pipeline(createReadStream(out), res).catch(() => undefined);
  } catch (err) {
    sendError(res, 400, toErrorData(err));
  }
}
