// Serve mode: the same UI and the same contract as the desktop app, for any browser on this machine.
// 127.0.0.1 only; a token guards every request and the WebSocket; uploads import CSVs.

import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger } from '../core/logger.js';
import type { Workbench } from '../core/workbench.js';
import { isMethodName } from '../shared/contract.js';
import { toErrorData } from '../shared/errors.js';
import { tokenCookie, type WireCall, type WireMessage } from '../shared/wire.js';
import { check } from './guard.js';
import { sendRefusalPage, wantsPage } from './refusal-page.js';
import { requestTarget } from './request-target.js';
import { sendError } from './respond.js';
import { serveStatic } from './static.js';
import { handleDownload } from './downloads.js';
import { forRemote, remoteJson, remotePathRefusal, serverFolders } from './remote-paths.js';
import { DEFAULT_MAX_UPLOAD, handleUpload } from './upload.js';
import { handleLogDownload } from './log-download.js';

const log = createLogger('serve');

export interface ServeOptions {
  wb: Workbench;
  /** Built renderer folder (out/web). */
  webRoot: string;
  port?: number;
  token?: string;
  /** Largest upload in bytes, counted as they arrive (default 1 GB). */
  maxUpload?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function attachSocket(wb: Workbench, socket: WebSocket, folders: readonly string[]): void {
  const send = (message: WireMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(remoteJson(message, folders));
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

/** One request's answer; a failure nobody expected is logged with its stack and answered 500, never left to crash. */
function answer(res: ServerResponse, folders: readonly string[], work: () => void | Promise<void>): void {
  const fail = (err: unknown) => {
    log.error(`request failed: ${(err as Error).stack ?? String(err)}`);
    if (!res.headersSent) sendError(res, 500, forRemote(toErrorData(err), folders));
    else res.destroy();
  };
  try {
    void Promise.resolve(work()).catch(fail);
  } catch (err) {
    fail(err);
  }
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxUpload = opts.maxUpload ?? DEFAULT_MAX_UPLOAD;
  const folders = serverFolders(opts.wb.home);
  let port = 0;
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const target = requestTarget(req.url);
    if (!target.ok) return sendError(res, 400, { code: 'bad-input', message: target.reason });
    const verdict = check(req, target.url, token, port);
    if (!verdict.ok) return wantsPage(req) ? sendRefusalPage(res, verdict.status) : sendError(res, verdict.status, { code: 'bad-input', message: verdict.reason });
    const { url, path } = target;
    // Everything that writes is a POST: a GET (a prefetch, a reload, a link) changes nothing.
    if (req.method === 'POST' && path === '/upload') return handleUpload(opts.wb, req, res, url, { max: maxUpload, folders });
    if (req.method === 'GET' && path === '/download/logs') return handleLogDownload(opts.wb.home, res);
    if (req.method === 'POST' && path.startsWith('/download/')) return handleDownload(opts.wb, url, res, folders);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'bad-input', message: 'method not allowed' });
    // The token arrives once in the URL; the cookie carries it for the page's own requests afterwards.
    res.setHeader('Set-Cookie', `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    if (!serveStatic(opts.webRoot, path, res)) sendError(res, 404, { code: 'not-found', message: `no such page ${path}` });
  };
  const server = createServer((req, res) => answer(res, folders, () => route(req, res)));
  // Replies over 16 KiB (the runs list, comparisons, digit pages) are deflated: JSON of thousands of runs shrinks
  // about tenfold at level 1 for a few ms; small messages (progress events) are sent as they are.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024 * 1024,
    perMessageDeflate: { threshold: 16 * 1024, zlibDeflateOptions: { level: 1 }, serverNoContextTakeover: true, clientNoContextTakeover: true },
  });
  server.on('upgrade', (req, socket, head) => {
    const target = requestTarget(req.url);
    const verdict = target.ok ? check(req, target.url, token, port) : ({ ok: false, status: 400 } as const);
    const refused = !verdict.ok ? verdict.status : target.ok && target.path === '/ws' ? 0 : 404;
    if (refused) {
      socket.write(`HTTP/1.1 ${refused} ${STATUS_CODES[refused]}\r\nConnection: close\r\n\r\n`);
      return socket.destroy();
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(opts.wb, ws, folders));
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
