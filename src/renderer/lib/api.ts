// The one api transport, chosen at start: the preload bridge in the desktop app, a WebSocket to serve mode in
// a browser. Both carry the same contract; failures come back as WorkbenchErrors named after the call.

import type { ArgsOf, MethodName, ResultOf } from '../../shared/contract.js';
import { WorkbenchError, type ErrorData } from '../../shared/errors.js';
import type { WorkbenchEvent } from '../../shared/events.js';
import type { ImportResult } from '../../shared/types.js';
import type { WireMessage } from '../../shared/wire.js';

type Reply = { ok: true; result: unknown } | { ok: false; error: ErrorData };

interface Bridge {
  methods: Record<string, (args: unknown) => Promise<Reply>>;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** Electron ≥ 32 has no File.path: a preload may expose webUtils.getPathForFile under this name. */
  pathForFile?(file: File): string;
}

/** 'refused': serve answers but no longer accepts this tab's token (it was restarted with a new one). */
export type ConnectionState = 'open' | 'connecting' | 'closed' | 'refused';

export interface UploadOptions {
  kind?: 'train' | 'test';
  name?: string;
  /** Bytes sent so far (browser uploads only). */
  onProgress?(sent: number, total: number): void;
}

export interface Transport {
  readonly kind: 'desktop' | 'browser';
  call<M extends MethodName>(name: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** Browser only: import a CSV the user picked or dropped (the desktop app passes a path instead). */
  upload(file: File, opts?: UploadOptions): Promise<ImportResult>;
  /** 'open' | 'connecting' | 'closed' | 'refused' — for a banner when serve mode goes away. */
  readonly state: () => ConnectionState;
  /** Called on every connection state change (a view reloads after 'open' again: events were missed meanwhile). */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Desktop only: the file's path on disk for 'datasets:import' (null when the shell cannot tell). */
  pathOf(file: File): string | null;
}

function unwrap<T>(name: string, reply: Reply): T {
  if (reply.ok) return reply.result as T;
  throw new WorkbenchError(reply.error.code, reply.error.message, reply.error.details ?? { method: name });
}

function desktop(bridge: Bridge): Transport {
  return {
    kind: 'desktop',
    call: async (name, args) => unwrap(name, await bridge.methods[name](args)),
    onEvent: (listener) => bridge.onEvent(listener),
    upload: () => Promise.reject(new WorkbenchError('bad-input', 'uploads are for the browser; the desktop app imports files by path')),
    state: () => 'open',
    onState: () => () => undefined,
    pathOf: (file) => bridge.pathForFile?.(file) ?? (file as File & { path?: string }).path ?? null,
  };
}

/** XMLHttpRequest rather than fetch: it reports upload progress. */
function post(url: string, file: File, onProgress?: (sent: number, total: number) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    if (onProgress) xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.total || file.size));
    xhr.addEventListener('load', () => {
      try {
        resolve(JSON.parse(xhr.responseText) as Reply);
      } catch {
        reject(new WorkbenchError('io', `upload of ${file.name} failed (HTTP ${xhr.status})`));
      }
    });
    xhr.addEventListener('error', () => reject(new WorkbenchError('io', `upload of ${file.name} failed: the connection was lost`)));
    xhr.send(file);
  });
}

export const REFUSED = 'the server was restarted with a new token: open the URL it printed';

function browser(): Transport {
  const token = new URLSearchParams(location.search).get('token');
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; name: string }>();
  let nextId = 1;
  let socket: WebSocket;
  let state: ConnectionState = 'connecting';
  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  };
  let ready: Promise<void>;
  let retry = 500;

  const connect = () => {
    setState('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    socket = new WebSocket(url);
    // Settles on close too: a call waiting for a socket that never opened fails now instead of hanging.
    ready = new Promise((resolve) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('close', () => resolve(), { once: true });
    });
    socket.addEventListener('open', () => {
      setState('open');
      retry = 500;
    });
    socket.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as WireMessage;
      if (msg.type === 'event') for (const l of listeners) l(msg.event);
      else {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        try {
          p.resolve(unwrap(p.name, msg));
        } catch (err) {
          p.reject(err as Error);
        }
      }
    });
    socket.addEventListener('close', () => {
      setState('closed');
      for (const p of pending.values()) p.reject(new WorkbenchError('io', 'the connection to Digit Workbench was lost'));
      pending.clear();
      void tokenRefused().then((refused) => {
        // Retrying with a token the server refuses would spin forever: the user needs the new URL.
        if (refused) return setState('refused');
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 10_000);
      });
    });
  };
  /**
   * A browser does not tell a page why a WebSocket failed: ask over HTTP. 401 means the server is up but has another
   * token; no answer at all means it is down (keep retrying). A HEAD of the page changes nothing on the server.
   */
  const tokenRefused = async (): Promise<boolean> => {
    try {
      const res = await fetch(`/${token ? `?token=${encodeURIComponent(token)}` : ''}`, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
      return res.status === 401;
    } catch {
      return false;
    }
  };
  connect();

  return {
    kind: 'browser',
    async call(name, args) {
      if (state === 'refused') throw new WorkbenchError('io', `${name}: ${REFUSED}`);
      await ready;
      if (socket.readyState !== WebSocket.OPEN) throw new WorkbenchError('io', `${name}: not connected to Digit Workbench (reconnecting)`);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, name });
        socket.send(JSON.stringify({ id, method: name, args }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async upload(file, opts = {}) {
      const params = new URLSearchParams({ name: file.name });
      if (opts.kind) params.set('kind', opts.kind);
      if (opts.name) params.set('datasetName', opts.name);
      return unwrap<ImportResult>('datasets:upload', await post(`/upload?${params}`, file, opts.onProgress));
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    pathOf: () => null,
  };
}

const bridge = (globalThis as { workbench?: Bridge }).workbench;
export const api: Transport = bridge ? desktop(bridge) : browser();
