// The app window: isolated, sandboxed, no Node in the page, a strict Content-Security-Policy, and no navigation
// away from the app or new windows (links open in the system browser).

import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { CSP } from '../shared/csp.js';

export { CSP };

export function windowOptions(preload: string): Electron.BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Digit Workbench',
    webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  };
}

/**
 * The same policy as a header, for pages served over http (the dev server); the built page loaded from file://
 * carries it as a <meta> tag, since webRequest headers do not apply to file:// loads.
 */
export function installCsp(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}

export function createMainWindow(outDir: string): BrowserWindow {
  const win = new BrowserWindow(windowOptions(join(outDir, 'preload', 'index.cjs')));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(outDir, 'renderer', 'index.html'));
  return win;
}
