// Native open and save dialogs: the contract's desktop:* methods, answered here before the core sees them.

import { dialog, type BrowserWindow } from 'electron';
import type { ArgsOf, ResultOf } from '../shared/contract.js';

type Local = {
  'desktop:open-file': (args: ArgsOf<'desktop:open-file'>, win: BrowserWindow | null) => Promise<ResultOf<'desktop:open-file'>>;
  'desktop:save-file': (args: ArgsOf<'desktop:save-file'>, win: BrowserWindow | null) => Promise<ResultOf<'desktop:save-file'>>;
};

const csv = [{ name: 'Kaggle CSV', extensions: ['csv'] }];
const onnx = [{ name: 'ONNX model', extensions: ['onnx'] }];

export const dialogHandlers: Local = {
  async 'desktop:open-file'(_args, win) {
    const options = { title: 'Import a Kaggle train.csv or test.csv', filters: csv, properties: ['openFile' as const] };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
  },
  async 'desktop:save-file'(args, win) {
    const options =
      args.purpose === 'submission'
        ? { title: 'Save the Kaggle submission', defaultPath: args.defaultName, filters: csv }
        : args.purpose === 'onnx'
          ? { title: 'Export the model as one ONNX file', defaultPath: args.defaultName, filters: onnx }
          : { title: 'Export the model (a folder with model.json and weights.bin)', defaultPath: args.defaultName };
    const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    const path = r.canceled ? null : (r.filePath ?? null);
    // GTK's dialog does not add a filter's extension; the core writes an ONNX export only as a .onnx file. A file of
    // that name which exists already is the core's to refuse (the page then asks before replacing).
    if (path && args.purpose === 'onnx' && !path.toLowerCase().endsWith('.onnx')) return { path: `${path}.onnx` };
    return { path };
  },
};

/** What the user's choice in each dialog lets the renderer do with that path (see path-grants.ts). */
export const dialogAccess = { 'desktop:open-file': 'read', 'desktop:save-file': 'write' } as const satisfies Record<keyof Local, 'read' | 'write'>;

export function isLocalMethod(name: string): name is keyof Local {
  return Object.hasOwn(dialogHandlers, name);
}
