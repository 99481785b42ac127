// The preload exposes the contract's methods by name, event subscription, and the path of a dropped file (Electron
// no longer puts it on File objects), which it also reports to main as chosen by the user; nothing else (never
// ipcRenderer).

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { contract, type MethodName } from '../shared/contract.js';
import type { WorkbenchEvent } from '../shared/events.js';

const methods = Object.fromEntries(
  (Object.keys(contract) as MethodName[]).map((name) => [name, (args: unknown) => ipcRenderer.invoke('workbench:call', name, args)]),
);

contextBridge.exposeInMainWorld('workbench', {
  methods,
  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    const wrapped = (_: unknown, event: WorkbenchEvent) => listener(event);
    ipcRenderer.on('workbench:event', wrapped);
    return () => ipcRenderer.removeListener('workbench:event', wrapped);
  },
  pathForFile(file: File): string {
    // getPathForFile knows only real files the user dropped or picked (a page-made File gives ""); telling main
    // from here, not from the page, is what lets main accept this path and no other.
    const path = webUtils.getPathForFile(file);
    if (path) ipcRenderer.send('workbench:dropped-path', path);
    return path;
  },
});
