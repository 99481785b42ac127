// A real redis-server for a test (AOF on, like a pool's Redis should run), on a free port, with a password; and
// `digit-workbench worker` processes against it. Stop both in afterAll/finally.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
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
  client(): Redis;
  /** Stops and starts the same server (same port, same AOF): a Redis restart. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const dir = tempDir('dw-redis-');
  const port = await freePort();
  let proc: ChildProcess;
  const clients: Redis[] = [];
  const up = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'yes', '--requirepass', PASSWORD], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const probe = new Redis({ port, password: PASSWORD, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
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
    url: `redis://:${PASSWORD}@127.0.0.1:${port}`,
    port,
    client: () => {
      const c = new Redis({ port, password: PASSWORD, maxRetriesPerRequest: null });
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
export async function startWorkerProcess(url: string, name: string, extra: string[] = []): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [bin, 'worker', '--queue', url, '--name', name, '--stall-seconds', '2', '--backend', 'wasm', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
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
