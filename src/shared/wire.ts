// Serve mode's WebSocket messages: calls over the contract, replies, and pushed events.

import type { ErrorData } from './errors.js';
import type { WorkbenchEvent } from './events.js';

export interface WireCall {
  id: number;
  method: string;
  args?: unknown;
}

export type WireMessage =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: ErrorData }
  | { type: 'event'; event: WorkbenchEvent };

export const TOKEN_COOKIE = 'dw_token';
