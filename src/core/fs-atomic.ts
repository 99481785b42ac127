// Atomic writes: a temporary file (or folder) beside the target, flushed, then renamed over it, so a reader —
// Kaggle's uploader, tfjs — never sees half a file. All writes of exports go through `fsSeam`, so tests can
// stand in a full disk. Nothing here removes a folder recursively: only the files the app itself wrote go.

import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { badInput, conflict, WorkbenchError } from '../shared/errors.js';
import { createLogger } from './logger.js';

const log = createLogger('fs-atomic');

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

export interface ReplaceOptions {
  force?: boolean;
  /**
   * Called on a target that exists when `force` is given: throws unless it is something this app wrote. A path is
   * the user's, so without such a check nothing is replaced, force or not.
   */
  ours?: (target: string) => void;
}

function exists(target: string): boolean {
  try {
    lstatSync(target); // a dangling symlink exists too: renaming over it would replace the link
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses an existing target unless `force` and `ours` says the app wrote it. Targets arrive from the CLI and IPC:
 * a relative path would land wherever the process happens to run, so only plain absolute paths are written.
 */
export function checkTarget(target: string, opts: ReplaceOptions = {}): void {
  const shown = target.length > 200 ? `${target.slice(0, 200)}…` : target;
  if (target.includes('\0')) throw badInput(`cannot write ${JSON.stringify(shown)}: the path contains a NUL byte`);
  if (!isAbsolute(target)) throw badInput(`cannot write ${shown}: the path must be absolute`);
  if (normalize(target) !== target || target.split(/[\\/]/).includes('..')) throw badInput(`cannot write ${shown}: the path must not contain ".." or redundant separators`);
  if (exists(target)) {
    if (!opts.force) throw conflict(`${target} exists already (use --force to replace it)`);
    if (!opts.ours) throw conflict(`${target} exists already and only what Digit Workbench wrote is replaced: choose another path`);
    opts.ours(target);
  }
  const folder = dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new WorkbenchError('io', `cannot write ${target}: the folder ${folder} does not exist`);
}

export function writeFileAtomic(target: string, data: Uint8Array | string, opts: ReplaceOptions = {}): void {
  checkTarget(target, opts);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  let made = false; // an EEXIST from 'wx' means the file is not ours to remove
  try {
    fd = openSync(temp, 'wx');
    made = true;
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (made) rmSync(temp, { force: true });
    throw ioError(target, err);
  }
}

/**
 * Removes a folder this app wrote: only the files it put there, then the folder if nothing else is left. Never
 * recursive: a file that appeared meanwhile (the user's) keeps the folder, and is reported.
 */
function removeWritten(folder: string, names: string[]): boolean {
  for (const name of names) rmSync(join(folder, name), { force: true });
  try {
    rmdirSync(folder);
    return true;
  } catch (err) {
    log.warn(`kept ${folder}: it is not empty after removing the files Digit Workbench wrote (${(err as NodeJS.ErrnoException).code})`);
    return false;
  }
}

/** A folder of files written as a whole: built in a temporary sibling, then renamed into place. */
export function writeFolderAtomic(target: string, files: Record<string, Uint8Array | string>, opts: ReplaceOptions = {}): void {
  checkTarget(target, opts);
  const names = Object.keys(files);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const old = `${temp}.old`;
  let made = false;
  try {
    mkdirSync(temp);
    made = true;
    for (const [name, data] of Object.entries(files)) writeFileAtomic(join(temp, name), data);
    // A folder cannot be renamed over another: the old one steps aside first and comes back if the swap fails.
    // `ours` looked at it just now (checkTarget): it held only files named in `names`.
    const replacing = exists(target);
    if (replacing) renameSync(target, old);
    try {
      renameSync(temp, target);
    } catch (err) {
      if (replacing) renameSync(old, target);
      throw err;
    }
    made = false;
    if (replacing) removeWritten(old, names);
  } catch (err) {
    if (made) removeWritten(temp, names);
    throw err instanceof WorkbenchError ? new WorkbenchError(err.code, err.message.replace(join(temp, ''), join(target, '')), err.details) : ioError(target, err);
  }
}
