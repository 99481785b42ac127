// Serve mode's "Download log": the browser cannot open a folder on the server, so it gets the newest lines of the
// data folder's logs as one text file (token-guarded like every request; the file names stay on the server).

import type { ServerResponse } from 'node:http';
import { recentLogText } from '../core/log-files.js';

export const LOG_DOWNLOAD_LINES = 20_000;

export function handleLogDownload(home: string, res: ServerResponse): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Disposition': `attachment; filename="digit-workbench-log-${stamp}.txt"`,
    'Cache-Control': 'no-store',
  });
  res.end(recentLogText(home, LOG_DOWNLOAD_LINES) || 'No log lines yet.\n');
}
