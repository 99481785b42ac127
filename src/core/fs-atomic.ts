// Atomic writes: a temporary file (or folder) beside the target, flushed, then renamed over it, so a reader —
// Kaggle's uploader, tfjs — never sees half a file. All writes of exports go through `fsSeam`, so tests can
// stand in a full disk.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { badInput, conflict, WorkbenchError } from '../shared/errors.js';

export const fsSeam = {
  writeSync: (fd: number, data: Uint8Array, offset: number, length: number): number => writeSync(fd, data, offset, length),
};

function ioError(target: string, err: unknown): WorkbenchError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'EROFS'
        ? 'the folder is on a read-only file system'
        : e.code === 'ENOSPC'
          ? 'the disk is full'
          : e.code === 'ENOENT'
            ? 'the folder does not exist'
            : e.message;
  return new WorkbenchError('io', `cannot write ${target}: ${why}`, { code: e.code });
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += fsSeam.writeSync(fd, data, offset, data.length - offset);
}

/**
 * Refuses an existing target unless `force`. Targets arrive from the WebSocket and IPC too: a relative path would
 * land wherever the process happens to run, so only plain absolute paths are written.
 */
export function checkTarget(target: string, force: boolean): void {
  const shown = target.length > 200 ? `${target.slice(0, 200)}…` : target;
  if (target.includes('\0')) throw badInput(`cannot write ${JSON.stringify(shown)}: the path contains a NUL byte`);
  if (!isAbsolute(target)) throw badInput(`cannot write ${shown}: the path must be absolute`);
  if (normalize(target) !== target || target.split(/[\\/]/).includes('..')) throw badInput(`cannot write ${shown}: the path must not contain ".." or redundant separators`);
  if (existsSync(target) && !force) throw conflict(`${target} exists already (use --force to replace it)`);
  const folder = dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new WorkbenchError('io', `cannot write ${target}: the folder ${folder} does not exist`);
}

export function writeFileAtomic(target: string, data: Uint8Array | string, opts: { force?: boolean } = {}): void {
  checkTarget(target, opts.force === true);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw ioError(target, err);
  }
}

/** A folder of files written as a whole: built in a temporary sibling, then renamed into place. */
export function writeFolderAtomic(target: string, files: Record<string, Uint8Array | string>, opts: { force?: boolean } = {}): void {
  checkTarget(target, opts.force === true);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const old = `${temp}.old`;
  try {
    mkdirSync(temp);
    for (const [name, data] of Object.entries(files)) writeFileAtomic(join(temp, name), data);
    // A folder cannot be renamed over another: the old one steps aside first and comes back if the swap fails.
    const replacing = existsSync(target);
    if (replacing) renameSync(target, old);
    try {
      renameSync(temp, target);
    } catch (err) {
      if (replacing) renameSync(old, target);
      throw err;
    }
    if (replacing) rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err instanceof WorkbenchError ? new WorkbenchError(err.code, err.message.replace(join(temp, ''), join(target, '')), err.details) : ioError(target, err);
  }
}
