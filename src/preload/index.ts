// The preload exposes the contract's methods by name, and event subscription; nothing else (never ipcRenderer).

import { contextBridge, ipcRenderer } from 'electron';
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
});
