// The worker pool's facade methods: its status and the Redis URL it is reached at.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';

export function poolHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'workers'>> {
  return {
    'workers:status': () => wb.pool.status(),
    'workers:url': () => ({ url: wb.pool.maskedUrl() }),
    'workers:set-url': async ({ url }) => {
      await wb.pool.setUrl(url);
      wb.emit({ type: 'settings:changed' });
      return { url: wb.pool.maskedUrl() };
    },
    'workers:clear-url': async () => {
      await wb.pool.setUrl(null);
      wb.emit({ type: 'settings:changed' });
      return { url: null };
    },
  };
}
