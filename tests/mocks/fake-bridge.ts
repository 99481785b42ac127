// A fake transport for renderer state classes: installed as the preload bridge (globalThis.workbench) before the
// state modules load, so their `api` is the desktop transport over these canned methods and pushed events.
import type { WorkbenchEvent } from '../../src/shared/events.js';

type Handler = (args: unknown) => unknown;

export interface FakeBridge {
  /** Answers calls to `name` (a thrown error becomes the call's failure, as the core's would). */
  handle(name: string, fn: Handler): void;
  /** Pushes an event to every listener, as serve mode or the preload would. */
  emit(event: WorkbenchEvent): void;
  calls: { name: string; args: unknown }[];
}

export function installFakeBridge(): FakeBridge {
  const handlers = new Map<string, Handler>();
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  const calls: { name: string; args: unknown }[] = [];
  const methods = new Proxy({} as Record<string, (args: unknown) => Promise<unknown>>, {
    get: (_, name: string) => async (args: unknown) => {
      calls.push({ name, args });
      const fn = handlers.get(name);
      if (!fn) return { ok: false, error: { code: 'internal', message: `fake bridge: no handler for ${name}` } };
      try {
        return { ok: true, result: await fn(args) };
      } catch (err) {
        const e = err as { code?: string; message: string; details?: unknown };
        return { ok: false, error: { code: e.code ?? 'internal', message: e.message, details: e.details } };
      }
    },
  });
  (globalThis as { workbench?: unknown }).workbench = {
    methods,
    onEvent(listener: (event: WorkbenchEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    handle: (name, fn) => handlers.set(name, fn),
    emit: (event) => listeners.forEach((l) => l(event)),
    calls,
  };
}
