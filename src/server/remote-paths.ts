// Serve mode's browser is a remote client: it never names files on the server, and is never told their names.
// A contract method marked as taking a server path (see ServerPaths in the contract) is refused here, before the
// core sees it; imports arrive by upload (POST /upload) and exports leave by download (/download/...) instead.
// Everything serve mode sends (replies, errors, events) passes through remoteJson, so no view can show a path.

import { realpathSync } from 'node:fs';
import { serverPathsOf, type MethodName } from '../shared/contract.js';
import type { ErrorData } from '../shared/errors.js';

export function remotePathRefusal(method: MethodName): ErrorData | null {
  const paths = serverPathsOf(method);
  if (!paths) return null;
  // Refused whatever the arguments: every path field is required, and echoing a given path back is pointless.
  return {
    code: 'bad-input',
    message: `${method}: paths cannot be given over serve mode (the browser is a remote client and never names files on the server); ${paths.instead}`,
    details: { method, fields: Object.keys(paths.fields) },
  };
}

/** What a message says instead of the data folder's path. */
export const DATA_FOLDER_WORDS = "the server's data folder";

/** Result fields holding the data folder itself (AppInfo.home, Settings.home): null for a remote client. */
const FOLDER_KEYS = new Set(['home']);
/**
 * Result fields holding a file the core read or wrote (DatasetInfo.source, SubmissionInfo.path,
 * ModelExportResult.path, import:progress's file, an autopilot job's submissionPath): a remote client gets the
 * file's name, which is what it shows.
 * Only these keys: other strings (pixels in base64, notes the user typed) may hold slashes that are no path.
 */
const FILE_KEYS = new Set(['source', 'path', 'file', 'submissionPath']);

const fileName = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** The data folder as given and as resolved (a symlinked temp folder shows up in messages either way). */
export function serverFolders(home: string): string[] {
  let real = home;
  try {
    real = realpathSync(home);
  } catch {
    // Not there yet: only the given spelling can appear.
  }
  return [...new Set([home, real])].filter((p) => p.length > 1).sort((a, b) => b.length - a.length);
}

/** `value` as JSON for a remote client: folder fields null, file fields reduced to names, the data folder in words. */
export function remoteJson(value: unknown, folders: readonly string[]): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v !== 'string') return v;
    if (FOLDER_KEYS.has(key)) return null;
    if (FILE_KEYS.has(key)) return fileName(v);
    // Messages and log lines (errors naming a file in exports/, a trainer's log) keep their sense without the path.
    let text = v;
    for (const folder of folders) if (text.includes(folder)) text = text.split(folder).join(DATA_FOLDER_WORDS);
    return text;
  });
}

/** `value` as a remote client may see it, for the HTTP routes' small JSON answers. */
export function forRemote<T>(value: T, folders: readonly string[]): T {
  return JSON.parse(remoteJson(value, folders)) as T;
}
