// The settings' facade methods: read and change the app's settings, and which backends load here.

import type { HandlersOf, MethodsOf, WorkbenchContext } from './handlers.js';
import { readSettings, writeSettings } from './settings.js';

export function settingsHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'settings'>> {
  return {
    'settings:get': () => ({ ...readSettings(wb.db), home: wb.home }),
    'settings:backends': async () => (await wb.inference.request({ type: 'backends' }, 'backends')).backends,
    'settings:set': (changes) => {
      const saved = writeSettings(wb.db, changes);
      wb.emit({ type: 'settings:changed' });
      if (changes.concurrency !== undefined) wb.runs.pump();
      return { ...saved, home: wb.home };
    },
  };
}
