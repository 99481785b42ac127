// Serve mode without a browser: 127.0.0.1 only, the token on every request and the WebSocket, a foreign Origin
// refused, contract calls and events over the socket, CSV upload, and a submission download.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src/core/workbench.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { csvText, rowFields } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';
import type { WireMessage } from '../../src/shared/wire.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let server: RunningServer;

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: dir.path });
  const web = join(dir.path, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Digit Workbench</title>');
  server = await startServer({ wb, webRoot: web });
});
afterAll(async () => {
  await server.close();
  wb.close();
  dir.remove();
});

const base = () => `http://127.0.0.1:${server.port}`;

function socket(headers: Record<string, string> = {}, query = `?token=${server.token}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, args?: unknown): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as WireMessage;
      if (msg.type === 'reply' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, args }));
  });
}

describe('serve mode', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
    expect(server.url).toBe(`${base()}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token (401) or from a foreign origin (403); sets the cookie with it', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=${server.token}`, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    const ok = await fetch(`${base()}/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${base()}/index.html`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${base()}/../../etc/passwd?token=${server.token}`)).status).toBe(404);
  });

  it('guards the WebSocket the same way', async () => {
    await expect(socket({}, '')).rejects.toThrow(/401/);
    await expect(socket({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const ws = await socket({ Origin: `http://127.0.0.1:${server.port}` });
    ws.close();
  });

  it('answers contract calls, validates them, and pushes events', async () => {
    const ws = await socket();
    try {
      const list = await call(ws, 1, 'datasets:list');
      expect(list).toMatchObject({ ok: true });
      expect((list as { result: { name: string }[] }).result.map((d) => d.name)).toEqual(['sample-train', 'sample-test']);
      expect(await call(ws, 2, 'datasets:get', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^id: must be an integer/) } });
      expect(await call(ws, 3, 'fs:read', {})).toMatchObject({ ok: false, error: { message: 'unknown method fs:read' } });
      const events: string[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as WireMessage;
        if (m.type === 'event') events.push(m.event.type);
      });
      await call(ws, 4, 'datasets:rename', { id: 1, name: 'renamed' });
      expect(events).toContain('datasets:changed');
    } finally {
      ws.close();
    }
  });

  it('imports an uploaded CSV under its own name, and reports a bad one with the upload’s name', async () => {
    const body = csvText('train', [rowFields('train', 3).join(',')]);
    const res = await fetch(`${base()}/upload?name=my-train.csv&token=${server.token}`, { method: 'POST', body });
    const json = (await res.json()) as { ok: boolean; result: { dataset: { name: string; rows: number; source: string } } };
    expect(json.ok).toBe(true);
    expect(json.result.dataset).toMatchObject({ name: 'my-train', rows: 1, source: 'upload:my-train.csv' });
    const bad = await fetch(`${base()}/upload?name=broken.csv&token=${server.token}`, { method: 'POST', body: 'label,pixel0\n' });
    expect(await bad.json()).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^broken\.csv:1:3: /) } });
    expect((await fetch(`${base()}/upload?name=x.csv`, { method: 'POST', body })).status).toBe(401);
  });

  it('explains a download it cannot make', async () => {
    const res = await fetch(`${base()}/download/submission?runs=99&dataset=2&token=${server.token}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { message: 'no run with id 99' } });
  });
});
