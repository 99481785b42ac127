// Serve mode's CSV upload: streamed into a temporary file in the data folder, imported, then removed whatever
// happened. The limit counts the bytes that actually arrive: Content-Length may be absent (a chunked upload).

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Workbench } from '../core/workbench.js';
import { createLogger } from '../core/logger.js';
import { badInput, WorkbenchError, type ErrorData } from '../shared/errors.js';
import { forRemote } from './remote-paths.js';
import { sendError, sendJson } from './respond.js';

const log = createLogger('upload');
/** A Kaggle train.csv is 76 MB. */
export const DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024;
/** How long a refused upload may go on sending (discarded) so that its client reads the 413 before the close. */
const LINGER_MS = 10_000;

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${+(bytes / 1024 ** 3).toFixed(1)} GB` : `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Copies the body into `file`; false as soon as it passes `max` bytes (what came so far stays unread past it). */
async function receive(req: IncomingMessage, file: WriteStream, max: number): Promise<boolean> {
  let received = 0;
  // destroyOnReturn false: a refused body is drained below, not cut, so that the client sees the answer.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > max) return false;
    if (!file.write(chunk)) await once(file, 'drain');
  }
  return true;
}

/**
 * Answers 413, then discards the rest of the body for a while before cutting the connection: closing at once, with
 * the client still sending, resets the connection and the client never reads the answer.
 */
function refuse(req: IncomingMessage, res: ServerResponse, name: string, max: number): void {
  sendError(res, 413, badInput(`${name}: the upload is larger than the limit of ${megabytes(max)} (digit-workbench serve --max-upload MB)`).toData());
  req.resume();
  setTimeout(() => {
    if (!req.complete) req.socket.destroy();
  }, LINGER_MS).unref();
}

/** The import's own errors as they are; a file system error without its message, which names a server path. */
function storeError(err: unknown, name: string): ErrorData {
  if (err instanceof WorkbenchError) return err.toData();
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return { code: 'io', message: `${name}: the upload was cut off` };
  log.error(`upload of ${name} failed: ${(err as Error).stack ?? String(err)}`);
  return { code: 'io', message: `${name}: the upload could not be stored${code ? ` (${code})` : ''}` };
}

/** max: the largest upload in bytes; folders: the data folder's spellings, never named in an answer. */
export async function handleUpload(wb: Workbench, req: IncomingMessage, res: ServerResponse, url: URL, opts: { max: number; folders: readonly string[] }): Promise<void> {
  const { max, folders } = opts;
  const name = basename(url.searchParams.get('name') || 'upload.csv');
  const kind = url.searchParams.get('kind') || undefined;
  const datasetName = url.searchParams.get('datasetName') || undefined;
  if (kind !== undefined && kind !== 'train' && kind !== 'test') return sendError(res, 400, badInput(`kind: must be train or test (got "${kind}")`).toData());
  if (Number(req.headers['content-length'] ?? 0) > max) return refuse(req, res, name, max);
  const folder = join(wb.home, 'uploads');
  const temp = join(folder, `${Date.now()}-${randomBytes(4).toString('hex')}.csv`);
  let file: WriteStream | undefined;
  let reply: () => void;
  try {
    mkdirSync(folder, { recursive: true });
    file = createWriteStream(temp);
    // A full disk fails the stream; the error reaches us through once('drain') or finished() below. Without a
    // listener it would also be thrown at the process.
    file.on('error', () => undefined);
    const whole = await receive(req, file, max);
    file.end();
    await finished(file);
    if (!whole) {
      reply = () => refuse(req, res, name, max);
    } else {
      const result = await wb.importDataset({ path: temp, name: datasetName, kind, displayName: name, source: `upload:${name}` });
      reply = () => sendJson(res, 200, forRemote({ ok: true, result }, folders));
    }
  } catch (err) {
    const error = storeError(err, name);
    // An upload the client aborted has no one left to answer.
    reply = () => !res.headersSent && !req.socket.destroyed && sendJson(res, 200, forRemote({ ok: false, error }, folders));
  } finally {
    // Gone before the answer leaves: the client may look right after it. A stream still opening would create the
    // file after the removal, so it is closed first.
    if (file && !file.closed) {
      const closed = new Promise((resolve) => file!.once('close', () => resolve(undefined)));
      file.destroy();
      await closed;
    }
    rmSync(temp, { force: true });
  }
  reply();
}
