// The preload exposes the contract's methods by name, event subscription, and the path of a dropped file (Electron
// no longer puts it on File objects); nothing else (never ipcRenderer).

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
    return webUtils.getPathForFile(file);
  },
});
