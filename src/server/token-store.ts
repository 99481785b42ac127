// Serve mode's access token, kept per data folder so that a restarted `serve` lets in the tabs it left open.
// The file is a secret: created with mode 0600, written whole (a temporary file renamed over it), and replaced
// when it is unreadable, malformed, or readable by anyone else.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'serve-token';
const SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

export interface ServeToken {
  token: string;
  /** Why the kept token was not used (shown to the user), or null. */
  note: string | null;
}

/** The kept token, or why it cannot be used. */
function readKept(file: string): { token: string } | { why: string | null } {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return { why: null }; // first start in this folder
  }
  // A symlink or another user's file could hand out a token someone else knows.
  if (!stat.isFile()) return { why: `${file} is not a regular file` };
  if (process.getuid && stat.uid !== process.getuid()) return { why: `${file} belongs to another user` };
  if ((stat.mode & 0o077) !== 0) return { why: `${file} was readable by other users` };
  let text;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    return { why: `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  // Never quote the content: it is a secret, or something that is not ours.
  return SHAPE.test(text) ? { token: text } : { why: `${file} did not hold a token` };
}

function writeToken(file: string, token: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
}

/** The data folder's serve token: the kept one, or a new one (always with `rotate`) written for the next start. */
export function serveToken(home: string, opts: { rotate?: boolean } = {}): ServeToken {
  const file = join(home, TOKEN_FILE);
  const kept = opts.rotate ? { why: null } : readKept(file);
  if ('token' in kept) return { token: kept.token, note: null };
  const token = randomBytes(24).toString('base64url');
  const notes = kept.why ? [`${kept.why}: it now holds a new token`] : [];
  try {
    writeToken(file, token);
  } catch (err) {
    // Serving still works; only tabs left open across a restart will need the new URL.
    notes.splice(0, 1, `cannot keep the token in ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): open tabs will need the new URL after a restart`);
  }
  return { token, note: notes[0] ?? null };
}
