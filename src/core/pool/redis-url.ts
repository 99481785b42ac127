// The worker pool's Redis URL: validated, shown with its password masked, and checked by a first connection that
// fails fast (ioredis otherwise retries forever) with a message a person can act on.

import { Redis, type RedisOptions } from 'ioredis';
import { badInput, WorkbenchError } from '../../shared/errors.js';

/** redis://:***@host:6379 — the password never reaches a log, a screen or an error message. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an unreadable URL)';
  }
}

export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badInput(`the worker pool URL must look like redis://:PASSWORD@HOST:6379 (got "${maskUrl(url)}")`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw badInput(`the worker pool URL must start with redis:// or rediss:// (TLS), got ${u.protocol}//`);
  }
  if (!u.hostname) throw badInput(`the worker pool URL names no host: ${maskUrl(url)}`);
}

/** Options for long-lived connections: BullMQ needs maxRetriesPerRequest null; a restarted Redis is reconnected. */
export function longLived(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...extra });
}

const CONNECT_TIMEOUT_MS = 4000;

/** Connects once without retrying and pings, so a bad URL or password is an error within 5 s naming the URL. */
export async function checkConnection(url: string): Promise<void> {
  checkUrl(url);
  const masked = maskUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed"; the reason (ECONNREFUSED, WRONGPASS, NOAUTH) comes as an event.
  let reason: Error | null = null;
  client.on('error', (err: Error) => (reason ??= err));
  const timer = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS + 500).unref();
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timer]);
  } catch (err) {
    throw connectionError(masked, reason ?? (err as Error), url.startsWith('rediss:'));
  } finally {
    client.disconnect();
  }
}

/** Node's codes for a server certificate it cannot check against the CAs it trusts. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/;

function connectionError(masked: string, err: Error, tls: boolean): WorkbenchError {
  const m = err.message;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (tls && UNTRUSTED.test(code)) {
    // Node reads NODE_EXTRA_CA_CERTS at start: every process that talks to the pool (app, serve, CLI, worker) needs it.
    return new WorkbenchError(
      'io',
      `Redis at ${masked} has a TLS certificate this machine does not trust (${m}): start Digit Workbench with NODE_EXTRA_CA_CERTS=/path/to/ca.pem naming the CA that signed it`,
    );
  }
  if (tls && /wrong version number|EPROTO|packet length too long/i.test(`${code} ${m}`)) {
    return new WorkbenchError('io', `cannot reach Redis at ${masked} over TLS (${m}): if that port takes plain connections, use redis://`);
  }
  if (!tls && code === 'ECONNRESET') {
    return new WorkbenchError('io', `cannot reach Redis at ${masked}: ${m} (if that port takes TLS connections only, use rediss://)`);
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(m)) {
    return new WorkbenchError('bad-input', `Redis at ${masked} refused the password (wrong password)`);
  }
  if (/NOAUTH/i.test(m)) {
    return new WorkbenchError('bad-input', `Redis at ${masked} needs a password: give it as redis://:PASSWORD@host:port`);
  }
  return new WorkbenchError('io', `cannot reach Redis at ${masked}: ${m}`);
}
