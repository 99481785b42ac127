// The application menu: the views and the common actions with their shortcuts. Menu items navigate the window
// through the same event channel the core uses.

import { app, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { WorkbenchEvent } from '../shared/events.js';

export function menuTemplate(send: (event: WorkbenchEvent) => void, isMac = process.platform === 'darwin'): MenuItemConstructorOptions[] {
  const go = (route: string) => () => send({ type: 'app:navigate', route });
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: go('#/datasets?import=1') },
        { label: 'New run…', accelerator: 'CmdOrCtrl+N', click: go('#/new') },
        { label: 'Export submission…', accelerator: 'CmdOrCtrl+E', click: go('#/submissions') },
        { type: 'separator' },
        { label: 'Settings', accelerator: 'CmdOrCtrl+,', click: go('#/settings') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { label: 'Datasets', accelerator: 'CmdOrCtrl+1', click: go('#/datasets') },
        { label: 'Runs', accelerator: 'CmdOrCtrl+2', click: go('#/runs') },
        { label: 'Compare', accelerator: 'CmdOrCtrl+3', click: go('#/compare') },
        { label: 'Errors', accelerator: 'CmdOrCtrl+4', click: go('#/errors') },
        { label: 'Draw a digit', accelerator: 'CmdOrCtrl+5', click: go('#/draw') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [
        { label: 'The Digit Recognizer competition', click: () => void shell.openExternal('https://www.kaggle.com/competitions/digit-recognizer') },
        { label: `Digit Workbench ${app.getVersion()}`, enabled: false },
      ],
    },
  ];
}

export function installMenu(windows: () => BrowserWindow[]): void {
  const send = (event: WorkbenchEvent) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send('workbench:event', event);
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(send)));
}
