// The IPC channels: 'workbench:call' (request/response over the contract), 'workbench:event' (push) and
// 'workbench:dropped-path' (the preload reporting a file dropped on the window). Senders are checked in one place:
// only the app's own window may call; a path reaches the core only when the user chose it (path-grants.ts).

import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { isAbsolute } from 'node:path';
import type { Workbench } from '../core/workbench.js';
import { isMethodName, parseArgs } from '../shared/contract.js';
import { dialogAccess, dialogHandlers, isLocalMethod } from './dialogs.js';
import { toErrorData, type ErrorData } from '../shared/errors.js';
import { PathGrants } from './path-grants.js';
import { openLogsFolder } from './logs.js';

export type CallReply = { ok: true; result: unknown } | { ok: false; error: ErrorData };

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender'>, windows: () => BrowserWindow[]): boolean {
  return windows().some((w) => !w.isDestroyed() && w.webContents.id === event.sender.id);
}

export function registerWorkbenchIpc(wb: Workbench, windows: () => BrowserWindow[]): () => void {
  const grants = new PathGrants();
  // Sent by the preload, never by the page (it has no ipcRenderer); it arrives before the call that uses the path
  // because a frame's IPC messages keep their order.
  const onDropped = (event: IpcMainEvent, path: unknown) => {
    if (isTrustedSender(event, windows) && typeof path === 'string' && isAbsolute(path)) grants.grant(path, 'read');
  };
  ipcMain.on('workbench:dropped-path', onDropped);
  ipcMain.handle('workbench:call', async (event, name: unknown, args: unknown): Promise<CallReply> => {
    if (!isTrustedSender(event, windows)) return { ok: false, error: { code: 'bad-input', message: 'unknown sender' } };
    if (!isMethodName(name)) return { ok: false, error: { code: 'bad-input', message: `unknown method ${String(name)}` } };
    try {
      if (name === 'desktop:open-logs') return { ok: true, result: await openLogsFolder(wb.home) };
      if (isLocalMethod(name)) {
        const handler = dialogHandlers[name] as (a: unknown, w: BrowserWindow | null) => Promise<{ path: string | null }>;
        const result = await handler(parseArgs(name, args), BrowserWindow.fromWebContents(event.sender));
        if (result.path) grants.grant(result.path, dialogAccess[name]);
        return { ok: true, result };
      }
      grants.check(name, args);
      return { ok: true, result: await wb.call(name, args) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  });
  const off = wb.on((event) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send('workbench:event', event);
  });
  return () => {
    off();
    ipcMain.removeHandler('workbench:call');
    ipcMain.removeListener('workbench:dropped-path', onDropped);
  };
}
