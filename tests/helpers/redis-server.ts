// A real redis-server for a test (AOF on, like a pool's Redis should run), on a free port, with a password —
// optionally TLS only, with a throwaway CA and server certificate made by openssl in its folder; and
// `digit-workbench worker` processes against it. Stop both in afterAll/finally.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { tempDir } from './temp-home.js';

export const PASSWORD = 'test-pass-7f3a';
const bin = join(process.cwd(), 'bin', 'digit-workbench.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** With `tls`: the PEM file of the CA that signed the server's certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string | null;
  client(): Redis;
  /** Stops and starts the same server (same port, same AOF): a Redis restart. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A CA and a certificate for 127.0.0.1 signed by it, valid for a day: what a private Redis over TLS would use. */
export function makeCertificates(dir: string, name = 'ca'): { ca: string; cert: string; key: string } {
  const f = (file: string) => join(dir, file);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`), '-days', '1', '-subj', `/CN=digit-workbench test ${name}`);
  openssl('req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f(`${name}.pem`), '-CAkey', f(`${name}.key`), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('server.ext'));
  return { ca: f(`${name}.pem`), cert: f('server.crt'), key: f('server.key') };
}

export async function startRedis(opts: { tls?: boolean } = {}): Promise<TestRedis> {
  const dir = tempDir('dw-redis-');
  const port = await freePort();
  let proc: ChildProcess;
  const clients: Redis[] = [];
  const certs = opts.tls ? makeCertificates(dir.path) : null;
  // TLS only: the plain port is off, and clients need not present certificates of their own (a password suffices).
  const listen = certs
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const direct: RedisOptions = { port, password: PASSWORD, ...(certs ? { tls: { ca: readFileSync(certs.ca) } } : {}) };
  const up = async () => {
    proc = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'yes', '--requirepass', PASSWORD], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const probe = new Redis({ ...direct, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const down = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  await up();
  return {
    url: `${certs ? 'rediss' : 'redis'}://:${PASSWORD}@127.0.0.1:${port}`,
    port,
    caFile: certs?.ca ?? null,
    client: () => {
      const c = new Redis({ ...direct, maxRetriesPerRequest: null });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    restart: async () => {
      await down();
      await up();
    },
    stop: async () => {
      for (const c of clients) c.disconnect();
      await down();
      dir.remove();
    },
  };
}

export interface WorkerProcess {
  name: string;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
}

/** Starts `digit-workbench worker` and waits for its first line (name, backend, threads). */
export async function startWorkerProcess(url: string, name: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [bin, 'worker', '--queue', url, '--name', name, '--stall-seconds', '2', '--backend', 'wasm', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ? { ...process.env, ...env } : undefined,
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes(`worker ${name} on`)) resolve();
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}: ${out}`)));
  });
  return {
    name,
    proc,
    output: () => out,
    kill: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}
