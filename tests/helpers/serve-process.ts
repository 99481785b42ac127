// `digit-workbench serve` as a real child process, and a WebSocket client for its contract calls and events.
// Needs the compiled CLI (npm run build:node) and the web UI (npm run build:web), as `npm test` builds them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { WorkbenchEvent } from '../../src/shared/events.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { WireMessage } from '../../src/shared/wire.js';

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  token: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServeProcessOptions {
  /** Extra `serve` options, e.g. ['--port', '8080', '--new-token']. */
  args?: string[];
  /** Added to the child's environment. */
  env?: Record<string, string>;
}

export async function startServeProcess(home: string, opts: ServeProcessOptions = {}): Promise<ServeProcess> {
  const bin = join(process.cwd(), 'bin', 'digit-workbench.js');
  const child = spawn(process.execPath, [bin, '--home', home, 'serve', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve(new URL(m[0]));
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export class WireClient {
  readonly events: WorkbenchEvent[] = [];
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (m: WireMessage) => void>();
  readonly #listeners = new Set<(e: WorkbenchEvent) => void>();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as WireMessage;
      if (m.type === 'event') {
        this.events.push(m.event);
        for (const l of this.#listeners) l(m.event);
      } else {
        this.#pending.get(m.id)?.(m);
        this.#pending.delete(m.id);
      }
    });
  }

  static connect(port: number, token: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
      ws.once('open', () => resolve(new WireClient(ws)));
      ws.once('error', reject);
    });
  }

  on(listener: (e: WorkbenchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The raw reply: { ok: true, result } or { ok: false, error }. */
  request(method: string, args?: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ErrorData }> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (m) => resolve(m as { ok: true; result: unknown }));
      this.#ws.send(JSON.stringify({ id, method, args }), (err) => err && reject(err));
    });
  }

  async call<T = unknown>(method: string, args?: unknown): Promise<T> {
    const reply = await this.request(method, args);
    if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
    return reply.result as T;
  }

  close(): void {
    this.#ws.terminate();
  }
}

/** The pids of a process's direct children (Linux /proc). */
export async function childPids(pid: number): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
