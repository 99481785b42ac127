// The desktop app's main process: wiring only. The core runs compiled from build/node (the same code the CLI and
// serve mode run); training happens in utility processes, never here.

import { app, BrowserWindow, Notification } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as WorkbenchModule from '../core/workbench.js';
import type * as HomeModule from '../core/home.js';
import type * as LoggerModule from '../core/logger.js';
import type * as TrainerProcessModule from '../core/training/trainer-process.js';
import { registerWorkbenchIpc } from './ipc.js';
import { utilityTrainerSpawner } from './trainer.js';
import { createMainWindow, installCsp } from './window.js';
import { installMenu } from './menu.js';

const root = app.getAppPath();
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'build', 'node', path)).href) as Promise<T>;

async function start(): Promise<void> {
  const { resolveHome } = await load<typeof HomeModule>('core/home.js');
  const home = resolveHome(process.env.DIGIT_WORKBENCH_HOME);
  app.setPath('userData', home); // one data folder for the app, serve mode and the CLI
  const { createLogger, startFileLogging } = await load<typeof LoggerModule>('core/logger.js');
  await startFileLogging({ home, name: 'app' });
  const log = createLogger('main');
  // The monitor logs without changing what an uncaught error does (an unhandled rejection arrives here too).
  process.on('uncaughtExceptionMonitor', (err, origin) => log.error(`${origin} in the main process`, err));
  app.on('child-process-gone', (_event, details) => log.warn(`child process gone: ${details.type} ${details.reason} (exit code ${details.exitCode})`));
  app.on('render-process-gone', (_event, _contents, details) => log.error(`renderer gone: ${details.reason} (exit code ${details.exitCode})`));
  // One window per data folder: the lock lives in userData, so it is taken once userData is the chosen folder (an
  // app on another folder, DIGIT_WORKBENCH_HOME, e.g. the smoke test's, is not a second instance).
  if (!app.requestSingleInstanceLock()) return app.quit();
  await app.whenReady();
  const { Workbench } = await load<typeof WorkbenchModule>('core/workbench.js');
  const { outputLines } = await load<typeof TrainerProcessModule>('core/training/trainer-process.js');
  const wb = new Workbench({ home, spawnTrainer: utilityTrainerSpawner(join(root, 'build', 'node', 'trainer', 'main.js'), outputLines) });
  // Pool runs that trained on while the app was closed: their waiting epochs are committed from now on.
  wb.adoptPoolRuns();
  log.info(`Digit Workbench started (Electron ${process.versions.electron}, data folder ${home})`);
  installCsp();
  const windows = () => BrowserWindow.getAllWindows();
  registerWorkbenchIpc(wb, windows);
  installMenu(windows, wb);
  wb.on((event) => {
    if (event.type === 'run:status' && ['completed', 'failed'].includes(event.status) && Notification.isSupported()) {
      new Notification({ title: `Run ${event.runId} ${event.status}`, body: event.error ?? 'Digit Workbench' }).show();
    }
  });
  createMainWindow(join(root, 'out'));
  app.on('activate', () => {
    if (windows().length === 0) createMainWindow(join(root, 'out'));
  });
  app.on('window-all-closed', () => {
    wb.close();
    app.quit();
  });
}

void start();
