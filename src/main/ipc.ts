// The one IPC channel pair: 'workbench:call' (request/response over the contract) and 'workbench:event' (push).
// Senders are checked in one place: only the app's own window may call.

import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Workbench } from '../core/workbench.js';
import { isMethodName, parseArgs } from '../shared/contract.js';
import { dialogHandlers, isLocalMethod } from './dialogs.js';
import { toErrorData, type ErrorData } from '../shared/errors.js';

export type CallReply = { ok: true; result: unknown } | { ok: false; error: ErrorData };

export function isTrustedSender(event: IpcMainInvokeEvent, windows: () => BrowserWindow[]): boolean {
  return windows().some((w) => !w.isDestroyed() && w.webContents.id === event.sender.id);
}

export function registerWorkbenchIpc(wb: Workbench, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle('workbench:call', async (event, name: unknown, args: unknown): Promise<CallReply> => {
    if (!isTrustedSender(event, windows)) return { ok: false, error: { code: 'bad-input', message: 'unknown sender' } };
    if (!isMethodName(name)) return { ok: false, error: { code: 'bad-input', message: `unknown method ${String(name)}` } };
    try {
      if (isLocalMethod(name)) {
        const handler = dialogHandlers[name] as (a: unknown, w: BrowserWindow | null) => Promise<unknown>;
        return { ok: true, result: await handler(parseArgs(name, args), BrowserWindow.fromWebContents(event.sender)) };
      }
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
  };
}
