// The app's own facade methods: its version and data folder, and the desktop-only calls (dialogs, the logs folder),
// which the Electron main process answers before the core sees them; anywhere else they say what to do instead.

import { conflict } from '../shared/errors.js';
import type { HandlersOf, MethodsOf, WorkbenchContext } from './handlers.js';
import { appVersion } from './version.js';

export function appHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'app'> | MethodsOf<'desktop'>> {
  return {
    'app:info': () => ({ version: appVersion(), home: wb.home, platform: process.platform }),
    'desktop:open-file': () => {
      throw conflict('file dialogs are part of the desktop app: in the browser, pick or drop the file to upload it');
    },
    'desktop:save-file': () => {
      throw conflict('save dialogs are part of the desktop app: in the browser the file is downloaded');
    },
    'desktop:open-logs': () => {
      throw conflict('the logs folder opens in the desktop app: in the browser, Settings › Download log saves it');
    },
  };
}
