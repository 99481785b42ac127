// The application menu: the views and the common actions with their shortcuts. Menu items navigate the window
// through the same event channel the core uses.

import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { Workbench } from '../core/workbench.js';
import type { WorkbenchEvent } from '../shared/events.js';
import { dialogHandlers } from './dialogs.js';

export function menuTemplate(
  send: (event: WorkbenchEvent) => void,
  importCsv: () => void,
  isMac = process.platform === 'darwin',
): MenuItemConstructorOptions[] {
  const go = (route: string) => () => send({ type: 'app:navigate', route });
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: importCsv },
        { label: 'New run…', accelerator: 'CmdOrCtrl+N', click: go('#/new') },
        { label: 'Export submission…', accelerator: 'CmdOrCtrl+E', click: go('#/submissions') },
        { label: 'Draw a digit', accelerator: 'CmdOrCtrl+D', click: go('#/draw') },
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
        { label: 'Diff two runs', accelerator: 'CmdOrCtrl+5', click: go('#/diff') },
        { label: 'Submissions', accelerator: 'CmdOrCtrl+6', click: go('#/submissions') },
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

/** File › Import CSV…: the native dialog, then the import (its progress and errors reach the window as events). */
export function installMenu(windows: () => BrowserWindow[], wb: Pick<Workbench, 'importDataset'>): void {
  const send = (event: WorkbenchEvent) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send('workbench:event', event);
  };
  const importCsv = async () => {
    const { path } = await dialogHandlers['desktop:open-file']({ purpose: 'import-csv' }, windows()[0] ?? null);
    if (!path) return;
    send({ type: 'app:navigate', route: '#/datasets' });
    try {
      const { dataset } = await wb.importDataset({ path });
      send({ type: 'app:navigate', route: `#/datasets/${dataset.id}` });
    } catch (err) {
      dialog.showErrorBox('Import failed', (err as Error).message);
    }
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(send, () => void importCsv())));
}
