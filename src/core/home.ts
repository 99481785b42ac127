// Where the data lives: --home DIR, else $DIGIT_WORKBENCH_HOME, else the OS app-data folder. The desktop app
// points Electron's userData at the same folder, so the app, serve mode and the CLI share one store.

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_FOLDER = 'digit-workbench';

export function defaultHome(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER);
}

export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.DIGIT_WORKBENCH_HOME) return resolve(env.DIGIT_WORKBENCH_HOME);
  return defaultHome(process.platform, env);
}
