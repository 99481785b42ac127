// Settings › Open logs folder: the desktop app shows the data folder's logs/ in the system's file manager.

import { shell } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '../shared/errors.js';

export async function openLogsFolder(home: string): Promise<{ opened: boolean }> {
  const folder = join(home, 'logs');
  mkdirSync(folder, { recursive: true });
  // openPath answers with an error message, or '' when the folder opened.
  const failure = await shell.openPath(folder);
  if (failure) throw new WorkbenchError('io', `could not open ${folder}: ${failure}`);
  return { opened: true };
}
