// JSON answers of serve mode's HTTP routes, in the shape of the WebSocket's replies ({ok, result} or {ok, error}).

import type { ServerResponse } from 'node:http';
import type { ErrorData } from '../shared/errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  // A length, not chunks: a client refused mid-upload knows when it has the whole answer.
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: ErrorData, headers?: Record<string, string>): void {
  sendJson(res, status, { ok: false, error }, headers);
}
