// Serve mode: the same UI and the same contract as the desktop app, for any browser on this machine.
// 127.0.0.1 only; a random token guards every request and the WebSocket; uploads import CSVs.

import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Workbench } from '../core/workbench.js';
import { isMethodName } from '../shared/contract.js';
import { badInput, toErrorData } from '../shared/errors.js';
import { TOKEN_COOKIE, type WireCall, type WireMessage } from '../shared/wire.js';
import { check } from './guard.js';
import { serveStatic } from './static.js';
import { handleDownload } from './downloads.js';
import { remotePathRefusal } from './remote-paths.js';
import { handleLogDownload } from './log-download.js';
import { logCallFailure } from '../core/call-log.js';

const MAX_UPLOAD = 1024 * 1024 * 1024; // a Kaggle train.csv is 76 MB

export interface ServeOptions {
  wb: Workbench;
  /** Built renderer folder (out/web). */
  webRoot: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function handleUpload(wb: Workbench, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const name = basename(url.searchParams.get('name') || 'upload.csv');
  const kind = url.searchParams.get('kind') || undefined;
  const datasetName = url.searchParams.get('datasetName') || undefined;
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_UPLOAD) return sendJson(res, 413, { ok: false, error: badInput(`${name}: the file is larger than 1 GB`).toData() });
  const folder = join(wb.home, 'uploads');
  mkdirSync(folder, { recursive: true });
  const temp = join(folder, `${Date.now()}-${randomBytes(4).toString('hex')}.csv`);
  try {
    await pipeline(req, createWriteStream(temp));
    const args = { path: temp, name: datasetName, kind } as { path: string; name?: string; kind?: 'train' | 'test' };
    if (kind !== undefined && kind !== 'train' && kind !== 'test') throw badInput(`kind: must be train or test (got "${kind}")`);
    const result = await wb.importDataset({ ...args, displayName: name, source: `upload:${name}` });
    sendJson(res, 200, { ok: true, result });
  } catch (err) {
    logCallFailure(`upload ${name}`, err);
    sendJson(res, 200, { ok: false, error: toErrorData(err) });
  } finally {
    rmSync(temp, { force: true });
  }
}

function attachSocket(wb: Workbench, socket: WebSocket): void {
  const send = (message: WireMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const off = wb.on((event) => send({ type: 'event', event }));
  socket.on('close', off);
  socket.on('message', async (data) => {
    let call: WireCall;
    try {
      call = JSON.parse(String(data)) as WireCall;
      if (typeof call !== 'object' || call === null || typeof call.id !== 'number') throw new Error('bad message');
    } catch {
      return; // not a call: nothing to answer to
    }
    if (!isMethodName(call.method)) {
      return send({ type: 'reply', id: call.id, ok: false, error: { code: 'bad-input', message: `unknown method ${String(call.method).slice(0, 60)}` } });
    }
    const refusal = remotePathRefusal(call.method);
    if (refusal) return send({ type: 'reply', id: call.id, ok: false, error: refusal });
    try {
      send({ type: 'reply', id: call.id, ok: true, result: await wb.call(call.method, call.args) });
    } catch (err) {
      send({ type: 'reply', id: call.id, ok: false, error: toErrorData(err) });
    }
  });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const server = createServer((req, res) => {
    const verdict = check(req, token, port);
    if (!verdict.ok) return sendJson(res, verdict.status, { ok: false, error: { code: 'bad-input', message: verdict.reason } });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'POST' && url.pathname === '/upload') return void handleUpload(opts.wb, req, res, url);
    if (req.method === 'GET' && url.pathname === '/download/logs') return handleLogDownload(opts.wb.home, res);
    if (req.method === 'GET' && url.pathname.startsWith('/download/')) return void handleDownload(opts.wb, url, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { ok: false, error: { code: 'bad-input', message: 'method not allowed' } });
    // The token arrives once in the URL; the cookie carries it for the page's own requests afterwards.
    res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (!serveStatic(opts.webRoot, url.pathname, res)) sendJson(res, 404, { ok: false, error: { code: 'not-found', message: `no such page ${url.pathname}` } });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const verdict = check(req, token, port);
    if (!verdict.ok || new URL(req.url ?? '/', 'http://x').pathname !== '/ws') {
      socket.write(`HTTP/1.1 ${verdict.ok ? 404 : verdict.status} ${verdict.ok ? 'Not Found' : 'Unauthorized'}\r\nConnection: close\r\n\r\n`);
      return socket.destroy();
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(opts.wb, ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
