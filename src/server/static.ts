// Static files of the built renderer (out/web), with the Content-Security-Policy of the desktop app.

import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CSP } from '../shared/csp.js';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export { CSP };

/** stat throws for "/index.html/x" (ENOTDIR) even with throwIfNoEntry: such a path is simply not a file. */
function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the decoded `path` from `root`; refuses anything that would leave it. Returns false when there is no such
 * file.
 */
export function serveStatic(root: string, path: string, res: ServerResponse): boolean {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  const file = join(root, rel);
  if (!file.startsWith(root + sep) || !isFile(file)) return false;
  res.writeHead(200, {
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': rel === 'index.html' ? 'no-store' : 'max-age=3600',
  });
  // A client that goes away mid-file ends the response with it; that is not the server's failure.
  pipeline(createReadStream(file), res).catch(() => undefined);
  return true;
}
