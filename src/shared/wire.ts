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

/**
 * The token cookie is named after the port: a browser keeps cookies per host, not per port, so two serve instances
 * on one machine would otherwise overwrite each other's cookie and lock out each other's tabs.
 */
export function tokenCookie(port: number): string {
  return `dw_token_${port}`;
}
