// Serve mode and the log: an unexpected error in a contract call reaches the browser as {code:'internal'} and the
// log file with its stack; expected errors stay out of it; GET /download/logs gives the newest lines as a text
// file, only with the token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src/core/workbench.js';
import { startFileLogging, stopFileLogging } from '../../src/core/logger.js';
import { recentLogRecords } from '../../src/core/log-files.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { WireMessage } from '../../src/shared/wire.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let server: RunningServer;

beforeAll(async () => {
  dir = tempDir('dw-serve-logs-');
  await startFileLogging({ home: dir.path, name: 'serve' });
  wb = new Workbench({ home: dir.path, sample: false });
  const web = join(dir.path, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Digit Workbench</title>');
  server = await startServer({ wb, webRoot: web });
});
afterAll(async () => {
  await server.close();
  wb.close();
  stopFileLogging();
  dir.remove();
});

function call(method: string, args?: unknown): Promise<WireMessage> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method, args })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as WireMessage;
      if (msg.type === 'reply') {
        ws.close();
        resolve(msg);
      }
    });
  });
}

describe('serve mode’s log', () => {
  it('files an unexpected error with its stack, not an expected one, and lets the browser download the log', async () => {
    expect(await call('runs:get', { id: 42 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    // A store that lost its runs table: the kind of bug the stack is for.
    wb.db.exec('ALTER TABLE runs RENAME TO runs_away');
    try {
      expect(await call('runs:list')).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/no such table: runs/) } });
    } finally {
      wb.db.exec('ALTER TABLE runs_away RENAME TO runs');
    }
    const records = recentLogRecords(dir.path, { max: 100 }).filter((r) => r.scope === 'calls');
    expect(records.map((r) => [r.level, r.msg])).toEqual([['error', 'runs:list failed unexpectedly']]);
    expect(records[0].stack).toMatch(/SqliteError: no such table: runs\n\s+at /);

    expect((await fetch(`http://127.0.0.1:${server.port}/download/logs`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${server.port}/download/logs?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="digit-workbench-log-.+\.txt"$/);
    const text = await res.text();
    expect(text).toMatch(/^\S+Z error \[serve \d+\] calls: runs:list failed unexpectedly\n\s+SqliteError: no such table: runs\n\s+at /m);
    expect(text).not.toContain(dir.path + '/logs'); // the file names stay on the server
  });
});
