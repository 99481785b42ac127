// What a browser that opened serve mode without its token (a bookmark of the bare address, a stale tab after a
// restart) is shown: a page saying what to do, instead of the JSON error API clients get. No script, no server path.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** A top-level page load: the browser asks for HTML (fetches and WebSocket upgrades do not). */
export function wantsPage(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers['sec-fetch-dest'] === 'document' || /\btext\/html\b/.test(req.headers.accept ?? ''));
}

export function sendRefusalPage(res: ServerResponse, status: 401 | 403): void {
  const title = status === 401 ? 'Open the address serve mode printed' : 'Not from this page';
  const text =
    status === 401
      ? 'This address needs the access token that <code>digit-workbench serve</code> printed when it started: copy the whole line it printed in its terminal (it ends in <code>?token=…</code>) into the address bar.'
      : 'Digit Workbench answers only pages it served itself. Open the address <code>digit-workbench serve</code> printed in its terminal.';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Digit Workbench: ${title}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:620px;margin:12vh auto;padding:0 20px;color:#1d232b}h1{font-size:20px}code{background:#eef1f4;padding:1px 4px;border-radius:4px}</style></head>
<body><h1>${title}</h1><p>${text}</p></body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}
