// Serve mode's gate: every HTTP request and the WebSocket upgrade must carry the token (query, header or the
// cookie set when the page first loads) and, when the browser sends an Origin, it must be this server's.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { tokenCookie } from '../shared/wire.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request carries; `url` is the target already parsed by requestTarget (parsing here could throw). */
export function tokenOf(req: IncomingMessage, url: URL, port: number): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const header = req.headers['x-workbench-token'];
  if (typeof header === 'string') return header;
  const cookie = req.headers.cookie ?? '';
  const m = new RegExp(`(?:^|;\\s*)${tokenCookie(port)}=([A-Za-z0-9_-]+)`).exec(cookie);
  return m ? m[1] : null;
}

export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export function check(req: IncomingMessage, url: URL, token: string, port: number): Verdict {
  const given = tokenOf(req, url, port);
  if (!given || !same(given, token)) return { ok: false, status: 401, reason: 'missing or wrong token: open the URL that `digit-workbench serve` printed' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).includes(origin)) return { ok: false, status: 403, reason: `foreign origin ${origin}` };
  return { ok: true };
}
