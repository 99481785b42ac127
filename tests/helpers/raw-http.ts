// Hand-written HTTP/1.1 over a plain socket. fetch and http.request normalise or refuse the targets an attacker
// would send ("/../", bad escapes, backslashes), so only a raw request line tests what the server does with them.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

function parse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: end < 0 ? '' : text.slice(end + 4) };
}

/**
 * Sends `requestLine`, `headers` and `body` as they are (Connection: close added) and reads the answer to the end:
 * the first response, and `rest` with whatever came after it.
 */
export function rawRequest(port: number, requestLine: string, headers: string[] = [], body = ''): Promise<RawResponse & { rest: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      const first = parse(text);
      const length = Number(/content-length: (\d+)/i.exec(first.head)?.[1] ?? first.body.length);
      resolve({ ...first, body: first.body.slice(0, length), rest: first.body.slice(length) });
    };
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('end', done);
    // A server that closes while the body is still arriving resets the connection: what it answered still counts.
    socket.on('error', (err) => (text ? done() : reject(err)));
    socket.write([requestLine, 'Host: 127.0.0.1', ...headers, 'Connection: close', '', body].join('\r\n'));
  });
}

/**
 * POSTs `total` bytes with chunked transfer encoding (no Content-Length), a chunk at a time, and stops sending as
 * soon as the server answers — as a browser does when it is refused mid-upload. Resolves with the answer.
 */
export function chunkedPost(port: number, target: string, total: number, chunkSize = 64 * 1024): Promise<RawResponse & { sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let answered = false;
    socket.on('data', (d) => {
      text += d.toString('latin1');
      answered = true;
      const r = parse(text);
      const length = Number(/content-length: (\d+)/i.exec(r.head)?.[1] ?? -1);
      if (r.status && Buffer.byteLength(r.body, 'latin1') >= length) {
        socket.destroy();
        resolve({ ...r, sent });
      }
    });
    socket.on('error', reject);
    socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/csv\r\n\r\n`);
    const line = Buffer.from('label,pixel0\n'.padEnd(chunkSize - 1, '0') + '\n');
    const next = () => {
      if (answered) return;
      if (sent >= total) return void socket.write('0\r\n\r\n');
      sent += line.length;
      socket.write(`${line.length.toString(16)}\r\n`);
      socket.write(line);
      socket.write('\r\n', next);
    };
    next();
  });
}
