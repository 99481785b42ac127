// Real write failures on every machine, root included (CI runs as root, and root ignores permissions): as root a
// folder becomes a read-only tmpfs, or a tiny tmpfs filled to the last byte; where mounting is refused (not root)
// chmod makes it read-only, and a full disk cannot be made (the caller then injects ENOSPC through fsSeam).
// Mounts are undone by release(): call it in `finally`.
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Unwritable {
  path: string;
  how: 'read-only tmpfs' | 'chmod' | 'full tmpfs';
  release(): void;
}

// Root picks a tmpfs (it ignores permissions), anyone else chmod: both make a real failure, neither skips.
const isRoot = (process.getuid?.() ?? -1) === 0;

function mountTmpfs(path: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], { stdio: 'pipe' });
    return true;
  } catch (err) {
    // Root that cannot mount (a container without CAP_SYS_ADMIN) has no way to make a real failure: say so.
    if (isRoot) throw new Error(`as root, a real write failure needs mount -t tmpfs, which failed: ${(err as { stderr?: Buffer }).stderr ?? err}`);
    return false;
  }
}

function unmount(path: string): void {
  // Lazy: a handle the code under test leaked must not leave the mount behind.
  execFileSync('umount', ['-l', path], { stdio: 'pipe' });
}

/** A new empty folder at `path` where nothing can be created. */
export function readOnlyFolder(path: string): Unwritable {
  mkdirSync(path, { recursive: true });
  if (mountTmpfs(path, 'ro,size=64k,mode=0755')) return { path, how: 'read-only tmpfs', release: () => unmount(path) };
  chmodSync(path, 0o500);
  return { path, how: 'chmod', release: () => chmodSync(path, 0o700) };
}

/**
 * A new folder at `path` on a tmpfs of `bytes`, holding `before` (written first), then filled to the last byte:
 * files can still be created and renamed, but not one byte more written. null where mounting is refused.
 */
export function fullFolder(path: string, opts: { bytes?: number; before?: (path: string) => void } = {}): Unwritable | null {
  mkdirSync(path, { recursive: true });
  if (!mountTmpfs(path, `size=${opts.bytes ?? 256 * 1024},mode=0755`)) return null;
  try {
    opts.before?.(path);
    const fd = openSync(join(path, '.filler'), 'w');
    try {
      const chunk = Buffer.alloc(4096, 1);
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    unmount(path);
    throw err;
  }
  return { path, how: 'full tmpfs', release: () => unmount(path) };
}
