// serve: the app in any browser on this machine, over the same core (127.0.0.1 only, token-guarded).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, optionalInt, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { projectRoot } from '../../core/paths.js';
import { guardProcess } from '../../core/process-guard.js';
import { WorkbenchError } from '../../shared/errors.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'open the app in your browser (local web server on 127.0.0.1)',
  usage: `digit-workbench serve [--port N] [--new-token] [--max-upload MB]

  Serves the Digit Workbench UI on http://127.0.0.1:PORT (default: a free port) and prints the URL
  with its access token on stdout. Only this machine can connect, and only with the token.
  The token is kept in the data folder (serve-token, readable by you alone): restarted on the same
  port, serve lets the tabs it left open back in.
  Stop it with Ctrl-C; a run it was training becomes interrupted and can be resumed.

  --new-token      replace the kept token: tabs opened with the old one are refused
  --max-upload MB  largest CSV a browser may upload (default 1024)`,
  async run(argv, ctx) {
    const { values } = parse(argv, { port: { type: 'string' }, 'new-token': { type: 'boolean' }, 'max-upload': { type: 'string' } }, { min: 0, max: 0 });
    if (values.help) return void console.log(this.usage);
    const port = optionalInt(values, 'port');
    if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`--port must be 0–65535 (got ${port})`);
    const maxUploadMb = optionalInt(values, 'max-upload');
    if (maxUploadMb !== undefined && maxUploadMb < 1) throw new UsageError(`--max-upload must be at least 1 (MB; got ${maxUploadMb})`);
    const webRoot = join(projectRoot(), 'out', 'web');
    if (!existsSync(join(webRoot, 'index.html'))) {
      throw new WorkbenchError('internal', `the web UI is not built (${webRoot}); run: npm run build:web (npm run serve does it for you)`);
    }
    const { startServer } = await import('../../server/server.js');
    const { serveToken } = await import('../../server/token-store.js');
    const wb = ctx.workbench();
    const { token, note } = serveToken(wb.home, { rotate: values['new-token'] === true });
    if (note) console.error(`digit-workbench: ${note}`);
    const unguard = guardProcess({ beforeExit: () => wb.close() });
    // Pool runs that trained on while no owner was up: their waiting epochs are committed from now on.
    wb.adoptPoolRuns();
    try {
      const server = await startServer({ wb, webRoot, port, token, maxUpload: maxUploadMb === undefined ? undefined : maxUploadMb * 1024 * 1024 });
      console.log(server.url);
      console.error(`Digit Workbench is serving ${wb.home} — open the URL above; Ctrl-C stops.`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    } finally {
      unguard();
    }
  },
};
