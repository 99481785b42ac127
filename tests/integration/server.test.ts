// Serve mode without a browser: 127.0.0.1 only, the token on every request and the WebSocket, a foreign Origin
// refused, contract calls and events over the socket, CSV upload, a submission download, and no server path taken
// from the browser.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src/core/workbench.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { csvText, rowFields } from '../fixtures/malformed-csv.js';
import { tempDir } from '../helpers/temp-home.js';
import type { WireMessage } from '../../src/shared/wire.js';
import { startServeProcess, WireClient, type ServeProcess } from '../helpers/serve-process.js';

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
    // (Raw ".." paths are in serve-requests.test.ts: fetch normalises them away before they are sent.)
  });

  it('names the cookie after the port, so that two servers on one machine keep their own in one browser', async () => {
    const other = await startServer({ wb, webRoot: join(dir.path, 'web') });
    try {
      // A browser's jar for host 127.0.0.1: cookies are kept per host and path, not per port.
      const jar = new Map<string, string>();
      for (const s of [server, other]) {
        const res = await fetch(`http://127.0.0.1:${s.port}/?token=${s.token}`);
        const [pair] = res.headers.get('set-cookie')!.split(';');
        const [name, value] = pair.split('=');
        expect(name).toBe(`dw_token_${s.port}`);
        jar.set(name, value);
      }
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const s of [server, other]) expect((await fetch(`http://127.0.0.1:${s.port}/index.html`, { headers: { cookie } })).status, String(s.port)).toBe(200);
      expect((await fetch(`${base()}/index.html`, { headers: { cookie: `dw_token_${other.port}=${server.token}` } })).status).toBe(401);
    } finally {
      await other.close();
    }
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
    const res = await fetch(`${base()}/download/submission?runs=99&dataset=2&token=${server.token}`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { message: 'no run with id 99' } });
  });
});

describe('serve mode refuses everything without the token or from a foreign origin', () => {
  const count = () => wb.db.prepare('SELECT COUNT(*) FROM datasets').pluck().get();

  it('is unreachable on every address but 127.0.0.1', async () => {
    const { networkInterfaces } = await import('node:os');
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.address !== '127.0.0.1')
      .map((a) => (a!.family === 'IPv6' ? `[${a!.address.split('%')[0]}]` : a!.address));
    for (const host of others) {
      await expect(fetch(`http://${host}:${server.port}/?token=${server.token}`, { signal: AbortSignal.timeout(2000) }), host).rejects.toThrow();
    }
  });

  it('accepts the token only whole, and in the query, the header or its cookie', async () => {
    const t = server.token;
    for (const wrong of [t.slice(0, -1), `${t}x`, t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase(), ` ${t}`, '']) {
      expect((await fetch(`${base()}/index.html?token=${encodeURIComponent(wrong)}`)).status, wrong).toBe(401);
      // (HTTP strips a header value's surrounding spaces: " token" is the token there.)
      if (wrong.trim() === wrong) expect((await fetch(`${base()}/index.html`, { headers: { 'x-workbench-token': wrong } })).status, wrong).toBe(401);
    }
    expect((await fetch(`${base()}/index.html`, { headers: { cookie: `other_dw_token=${t}` } })).status).toBe(401);
    expect((await fetch(`${base()}/index.html`, { headers: { 'x-workbench-token': t } })).status).toBe(200);
    const refused = await fetch(`${base()}/index.html`);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).not.toContain(t);
    // Every route sits behind the gate, whatever the method.
    for (const [method, path] of [['POST', '/download/submission?runs=1&dataset=2'], ['POST', '/upload?name=x.csv'], ['DELETE', '/'], ['GET', '/ws']] as const) {
      expect((await fetch(`${base()}${path}`, { method })).status, `${method} ${path}`).toBe(401);
    }
    await expect(socket({}, '?token=wrong')).rejects.toThrow(/401/);
    await expect(socket({ cookie: `dw_token_${server.port}=${t}x` }, '')).rejects.toThrow(/401/);
    await expect(socket({ cookie: `dw_token=${t}` }, '')).rejects.toThrow(/401/);
  });

  it('refuses a foreign, opaque or other-port Origin even with the token, and imports nothing for it', async () => {
    const before = count();
    const body = csvText('train', [rowFields('train', 5).join(',')]);
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://127.0.0.1.evil.example:${server.port}`]) {
      const upload = await fetch(`${base()}/upload?name=csrf.csv&token=${server.token}`, { method: 'POST', body, headers: { Origin: origin } });
      expect(upload.status, origin).toBe(403);
      expect((await fetch(`${base()}/download/submission?runs=1&dataset=2&token=${server.token}`, { method: 'POST', headers: { Origin: origin } })).status, origin).toBe(403);
      await expect(socket({ Origin: origin }), origin).rejects.toThrow(/403/);
    }
    expect(count()).toBe(before);
    const ws = await socket({ Origin: `http://localhost:${server.port}` });
    ws.close();
  });

  it('answers malformed socket messages without crashing, and unknown methods with an error', async () => {
    const ws = await socket();
    try {
      for (const junk of ['not json', '[]', 'null', '{"id":"1"}', JSON.stringify({ id: 1, method: 'x'.repeat(100_000) })]) ws.send(junk);
      expect(await call(ws, 7, '__proto__')).toMatchObject({ ok: false, error: { code: 'bad-input', message: 'unknown method __proto__' } });
      expect(await call(ws, 8, 'constructor')).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(await call(ws, 9, 'app:info')).toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
  });
});

describe('serve mode never takes a server path from its browser (a real serve process)', () => {
  // The browser is a remote client: imports arrive by upload and exports leave by download. A path in a
  // contract call would let any page holding the token read or overwrite the server's files.
  let home: ReturnType<typeof tempDir>;
  let serve: ServeProcess;
  let client: WireClient;
  beforeAll(async () => {
    home = tempDir();
    serve = await startServeProcess(home.path);
    client = await WireClient.connect(serve.port, serve.token);
  });
  afterAll(async () => {
    client.close();
    await serve.stop();
    home.remove();
  });

  it('refuses datasets:import with a path, without reading the file or quoting it', async () => {
    const secret = join(home.path, 'passwd');
    writeFileSync(secret, 'root:x:0:0:root-secret-7f3a:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n');
    for (const path of ['/etc/passwd', secret]) {
      const reply = await client.request('datasets:import', { path });
      expect(reply, path).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^datasets:import: paths cannot be given over serve mode .*upload/) } });
      const message = JSON.stringify(reply);
      for (const leak of ['root:', 'secret-7f3a', '/bin/bash', 'nologin']) expect(message, path).not.toContain(leak);
    }
    expect((await client.call<{ name: string }[]>('datasets:list')).map((d) => d.name)).toEqual(['sample-train', 'sample-test']);
  });

  it('refuses runs:export-model and submissions:export with an out path, force or not, touching nothing', async () => {
    const folder = join(home.path, 'my-folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'thesis.tex'), 'years of work');
    const csv = join(home.path, 'notes.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    for (const force of [true, false]) {
      const model = await client.request('runs:export-model', { id: 1, out: folder, force });
      expect(model).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^runs:export-model: paths cannot be given over serve mode .*model export/) } });
      const sub = await client.request('submissions:export', { runIds: [1], datasetId: 2, out: csv, force });
      expect(sub).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^submissions:export: paths cannot be given over serve mode .*download/) } });
    }
    expect(readdirSync(folder)).toEqual(['thesis.tex']);
    expect(readFileSync(join(folder, 'thesis.tex'), 'utf8')).toBe('years of work');
    expect(readFileSync(csv, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('still imports by upload and answers path-free calls', async () => {
    const body = csvText('test', [rowFields('test', 1).join(',')]);
    const res = await fetch(`http://127.0.0.1:${serve.port}/upload?name=up.csv&token=${serve.token}`, { method: 'POST', body });
    expect(await res.json()).toMatchObject({ ok: true, result: { dataset: { name: 'up', rows: 1, kind: 'test' } } });
    expect(await client.request('app:info')).toMatchObject({ ok: true });
  });
});
