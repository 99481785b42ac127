// The facade's handler maps: each domain builds the handlers of its own methods beside its code (datasets/handlers.ts,
// training/handlers.ts, …) from one shared context, and workbench.ts combines them into one map of every method.

import type { ArgsOf, MethodName, ResultOf } from '../shared/contract.js';
import { contract } from '../shared/contract.js';
import type { WorkbenchEvent, WorkbenchEventListener } from '../shared/events.js';
import type { BackendAvailability, BackendChoice } from '../shared/trainer-protocol.js';
import type { ImportResult } from '../shared/types.js';
import type { Db } from './db/open.js';
import type { ImportOptions } from './datasets/import.js';
import type { TrainerClient } from './inference/trainer-client.js';
import type { PredictContext } from './inference/predictions.js';
import type { PoolLink } from './pool/pool-link.js';
import type { RunManager } from './training/run-manager.js';
import type { SweepManager } from './sweeps/sweep-manager.js';

export type Handler<M extends MethodName> = (args: ArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

/** The methods named `prefix:…` (a domain's own). */
export type MethodsOf<P extends string> = Extract<MethodName, `${P}:${string}`>;
/** A domain's part of the map: exactly the methods it answers. */
export type HandlersOf<M extends MethodName> = Pick<Handlers, M>;

/** What a domain's handlers may use of the Workbench (the Workbench itself implements it). */
export interface WorkbenchContext {
  readonly home: string;
  readonly db: Db;
  readonly runs: RunManager;
  readonly sweeps: SweepManager;
  readonly inference: TrainerClient;
  readonly pool: PoolLink;
  readonly predictContext: PredictContext;
  emit(event: WorkbenchEvent): void;
  /** Listens to every event; returns the function that stops listening. */
  on(listener: WorkbenchEventListener): () => void;
  backendChoice(): BackendChoice | null;
  /** Which backends load here (asked once of a trainer process). */
  backendsHere(): Promise<BackendAvailability[]>;
  importDataset(opts: ImportOptions): Promise<ImportResult>;
  predictImage(runId: number, weights: 'best' | 'last', pixels: Uint8Array): Promise<{ probs: number[]; label: number }>;
  /** Another domain's method, called in-process (arguments already typed, not re-validated). */
  handle<M extends MethodName>(name: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * One map from the domains' parts. A method answered twice is a wiring mistake and throws; one answered by nobody
 * is a type error where the result is used as `Handlers`, and throws here too (a contract entry added without its
 * handler must not reach a user as "not a function").
 */
export function combine<P extends Partial<Handlers>[]>(...parts: P): UnionToIntersection<P[number]> {
  const out: Partial<Record<MethodName, unknown>> = {};
  for (const part of parts) {
    for (const name of Object.keys(part) as MethodName[]) {
      if (name in out) throw new Error(`the facade's handlers: ${name} is answered by two domains`);
      out[name] = part[name];
    }
  }
  const missing = (Object.keys(contract) as MethodName[]).filter((name) => !(name in out));
  if (missing.length > 0) throw new Error(`the facade's handlers: nobody answers ${missing.join(', ')}`);
  return out as UnionToIntersection<P[number]>;
}
