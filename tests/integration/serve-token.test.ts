// The serve token is kept per data folder (so a restart lets open tabs back in), in a 0600 file written whole,
// replaced when it is malformed or readable by others, and rotated by --new-token. Real serve processes.
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess } from '../helpers/serve-process.js';
import { tempDir } from '../helpers/temp-home.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => (dir = tempDir()));
afterAll(() => dir.remove());

const file = () => join(dir.path, 'serve-token');

/** The token and stderr of one serve start (stopped at once). */
async function start(args: string[] = []): Promise<{ token: string; stderr: string }> {
  const serve = await startServeProcess(dir.path, { args });
  await serve.stop();
  return { token: serve.token, stderr: serve.stderr() };
}

describe('the serve token', () => {
  it('is kept in a 0600 file and used again on the next start', async () => {
    const first = await start();
    expect(readFileSync(file(), 'utf8').trim()).toBe(first.token);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect((await start()).token).toBe(first.token);
    // Written through a temporary file and renamed: none is left behind.
    expect(readdirSync(dir.path).filter((f) => f.includes('serve-token'))).toEqual(['serve-token']);
  });

  it('is replaced by --new-token', async () => {
    const before = readFileSync(file(), 'utf8').trim();
    const rotated = await start(['--new-token']);
    expect(rotated.token).not.toBe(before);
    expect(readFileSync(file(), 'utf8').trim()).toBe(rotated.token);
    expect((await start()).token).toBe(rotated.token);
  });

  it('is replaced, with a note that quotes nothing of the file, when the file holds no token', async () => {
    writeFileSync(file(), 'secret-looking words that are not a token\n', { mode: 0o600 });
    const next = await start();
    expect(next.stderr).toMatch(/serve-token did not hold a token: it now holds a new token/);
    expect(next.stderr).not.toMatch(/secret-looking/);
    expect(readFileSync(file(), 'utf8').trim()).toBe(next.token);
  });

  it('is replaced when other users could read it, or when it is a symlink', async () => {
    const old = readFileSync(file(), 'utf8').trim();
    chmodSync(file(), 0o644);
    const next = await start();
    expect(next.token).not.toBe(old);
    expect(next.stderr).toMatch(/serve-token was readable by other users: it now holds a new token/);
    expect(statSync(file()).mode & 0o777).toBe(0o600);

    const elsewhere = join(dir.path, 'planted');
    writeFileSync(elsewhere, `${'a'.repeat(32)}\n`, { mode: 0o600 });
    rmSync(file());
    symlinkSync(elsewhere, file());
    const fromLink = await start();
    expect(fromLink.token).not.toBe('a'.repeat(32));
    expect(fromLink.stderr).toMatch(/serve-token is not a regular file/);
    // The link itself was replaced; the file it pointed at is untouched.
    expect(readFileSync(elsewhere, 'utf8').trim()).toBe('a'.repeat(32));
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });
});
