// The Electron shell against a mocked `electron`: the window is isolated and sandboxed with a CSP and cannot
// navigate or open windows, IPC accepts only the app's windows and the contract's methods, a path only when the
// user chose it (a dialog or a drop), and the preload exposes exactly the contract's methods plus onEvent and the
// dropped-file path helper (which reports the drop to main itself); a trainer utility process that dies fails its
// run with Chromium's reason (oom, crashed, killed…).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { contract } from '../../src/shared/contract.js';
import { WorkbenchError } from '../../src/shared/errors.js';
import type { WorkbenchEvent } from '../../src/shared/events.js';
import { outputLines } from '../../src/core/training/trainer-process.js';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  let nextId = 1;
  class FakeWebContents {
    readonly id = nextId++;
    readonly listeners = new Map<string, Listener[]>();
    openHandler: Listener | undefined;
    readonly send = vi.fn();
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    setWindowOpenHandler(handler: Listener) {
      this.openHandler = handler;
    }
  }
  class BrowserWindow {
    static created: BrowserWindow[] = [];
    static fromWebContents(contents: FakeWebContents) {
      return BrowserWindow.created.find((w) => w.webContents === contents) ?? null;
    }
    readonly webContents = new FakeWebContents();
    destroyed = false;
    readonly loadURL = vi.fn(async () => undefined);
    readonly loadFile = vi.fn(async () => undefined);
    readonly show = vi.fn();
    constructor(readonly options: Record<string, unknown>) {
      BrowserWindow.created.push(this);
    }
    once() {
      return this;
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  /** Just enough of Node's EventEmitter (vi.hoisted runs before imports). */
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener) {
      const wrapped = (...args: unknown[]) => {
        this.off(event, wrapped);
        return listener(...args);
      };
      return this.on(event, wrapped);
    }
    off(event: string, listener: Listener) {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
      return this;
    }
    emit(event: string, ...args: unknown[]) {
      for (const l of this.listeners.get(event) ?? []) l(...args);
    }
  }
  class UtilityChild extends Emitter {
    static forked: UtilityChild[] = [];
    readonly pid = 4242;
    readonly postMessage = vi.fn();
    readonly kill = vi.fn();
    constructor(readonly entry: string, readonly options: { serviceName: string }) {
      super();
      UtilityChild.forked.push(this);
    }
  }
  const handlers = new Map<string, Listener>();
  const mainListeners = new Map<string, Listener>();
  return {
    UtilityChild,
    utilityProcess: { fork: vi.fn((entry: string, _args: string[], options: { serviceName: string }) => new UtilityChild(entry, options)) },
    BrowserWindow,
    FakeWebContents,
    handlers,
    mainListeners,
    ipcMain: {
      on: vi.fn((channel: string, listener: Listener) => mainListeners.set(channel, listener)),
      removeListener: vi.fn((channel: string, listener: Listener) => mainListeners.get(channel) === listener && mainListeners.delete(channel)),
      handle: vi.fn((channel: string, handler: Listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, handler);
      }),
      removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
    },
    session: { defaultSession: { webRequest: { onHeadersReceived: vi.fn() } } },
    shell: { openExternal: vi.fn(async () => undefined), openPath: vi.fn(async (_path: string) => '') },
    contextBridge: { exposeInMainWorld: vi.fn() },
    webUtils: { getPathForFile: vi.fn(() => '/home/me/train.csv') },
    dialog: {
      showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePaths: ['/home/me/train.csv'] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
    },
    app: Object.assign(new Emitter(), { getVersion: () => '0.1.0' }),
    Menu: { buildFromTemplate: vi.fn((t: unknown) => t), setApplicationMenu: vi.fn() },
    ipcRenderer: { invoke: vi.fn(async () => ({ ok: true, result: 'reply' })), send: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
  };
});
vi.mock('electron', () => ({ ...electron, default: electron }));

const { createMainWindow, installCsp, windowOptions, CSP } = await import('../../src/main/window.js');
const { registerWorkbenchIpc } = await import('../../src/main/ipc.js');

beforeEach(() => {
  vi.clearAllMocks();
  electron.BrowserWindow.created.length = 0;
  electron.UtilityChild.forked.length = 0;
  electron.handlers.clear();
  electron.mainListeners.clear();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the app window', () => {
  it('is isolated and sandboxed, without Node, with web security and the preload', () => {
    const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/app/out/preload/index.cjs' });
    for (const risky of ['nodeIntegrationInWorker', 'nodeIntegrationInSubFrames', 'allowRunningInsecureContent', 'webviewTag', 'experimentalFeatures', 'enableBlinkFeatures']) {
      expect(prefs[risky as keyof typeof prefs], risky).toBeFalsy();
    }
  });

  it('sets a strict Content-Security-Policy on every response', () => {
    installCsp();
    const onHeaders = electron.session.defaultSession.webRequest.onHeadersReceived.mock.calls[0][0] as Listener;
    const callback = vi.fn();
    onHeaders({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': ['default-src *'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CSP] } });
    expect(CSP).toMatch(/default-src 'self'/);
    expect(CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CSP).toMatch(/object-src 'none'/);
    expect(CSP).not.toMatch(/unsafe-eval/);
  });

  it('cannot navigate away, opens no new window, and sends https links to the system browser', () => {
    delete process.env.ELECTRON_RENDERER_URL;
    const win = createMainWindow('/app/out') as unknown as InstanceType<typeof electron.BrowserWindow>;
    expect(win.options).toMatchObject({ webPreferences: { preload: '/app/out/preload/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false } });
    expect(win.loadFile).toHaveBeenCalledWith('/app/out/renderer/index.html');

    const navigate = win.webContents.listeners.get('will-navigate') ?? [];
    expect(navigate).toHaveLength(1);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:1/']) {
      const event = { preventDefault: vi.fn(), url };
      navigate[0](event, url);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }

    const open = win.webContents.openHandler!;
    expect(open({ url: 'https://www.kaggle.com/competitions/digit-recognizer' })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://www.kaggle.com/competitions/digit-recognizer');
    for (const url of ['http://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'about:blank']) {
      expect(open({ url }), url).toEqual({ action: 'deny' });
    }
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('registerWorkbenchIpc', () => {
  function setup() {
    const listeners = new Set<(e: WorkbenchEvent) => void>();
    const wb = {
      call: vi.fn(async (name: string, args: unknown) => {
        if (name === 'runs:get') throw new WorkbenchError('not-found', 'no run with id 9');
        if (name === 'runs:list') throw new Error('disk I/O error');
        return { name, args };
      }),
      on: vi.fn((listener: (e: WorkbenchEvent) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      }),
    };
    const app = new electron.BrowserWindow({});
    const other = new electron.BrowserWindow({});
    const windows = [app, other];
    const dispose = registerWorkbenchIpc(wb as never, () => windows as never);
    const handler = electron.handlers.get('workbench:call')!;
    const invoke = (sender: { id: number }, name: unknown, args?: unknown) => handler({ sender }, name, args);
    // What the preload sends when the page asks for a dropped file's path.
    const drop = (sender: { id: number }, path: unknown) => electron.mainListeners.get('workbench:dropped-path')!({ sender }, path);
    return { wb, app, other, windows, dispose, invoke, drop, listeners };
  }

  it('maps a contract call from the app window to the facade, and errors to data', async () => {
    const { wb, app, invoke } = setup();
    expect(await invoke(app.webContents, 'datasets:get', { id: 3 })).toEqual({ ok: true, result: { name: 'datasets:get', args: { id: 3 } } });
    expect(wb.call).toHaveBeenCalledWith('datasets:get', { id: 3 });
    expect(await invoke(app.webContents, 'runs:get', { id: 9 })).toEqual({ ok: false, error: { code: 'not-found', message: 'no run with id 9' } });
    expect(await invoke(app.webContents, 'runs:list')).toEqual({ ok: false, error: { code: 'internal', message: 'disk I/O error' } });
  });

  it('rejects an unknown sender, a destroyed window and an unknown method without calling the facade', async () => {
    const { wb, app, other, invoke } = setup();
    const stranger = new electron.FakeWebContents();
    expect(await invoke(stranger, 'datasets:list')).toEqual({ ok: false, error: { code: 'bad-input', message: 'unknown sender' } });
    other.destroyed = true;
    expect(await invoke(other.webContents, 'datasets:list')).toMatchObject({ ok: false, error: { message: 'unknown sender' } });
    for (const name of ['fs:read', '__proto__', 'constructor', 'toString', 42, null]) {
      expect(await invoke(app.webContents, name), String(name)).toMatchObject({ ok: false, error: { code: 'bad-input', message: `unknown method ${String(name)}` } });
    }
    expect(wb.call).not.toHaveBeenCalled();
  });

  it('answers the desktop dialog methods itself, validated, without the facade', async () => {
    const { wb, app, invoke } = setup();
    expect(await invoke(app.webContents, 'desktop:open-file', { purpose: 'import-csv' })).toEqual({ ok: true, result: { path: '/home/me/train.csv' } });
    expect(electron.dialog.showOpenDialog.mock.calls[0][0]).toBe(app);
    expect(await invoke(app.webContents, 'desktop:save-file', { purpose: 'submission', defaultName: 'submission.csv' })).toEqual({ ok: true, result: { path: null } });
    expect(await invoke(app.webContents, 'desktop:save-file', { purpose: 'x' })).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^purpose: must be one of/) } });
    expect(wb.call).not.toHaveBeenCalled();
  });

  it('opens the data folder’s logs/ for Open logs folder, and says when the system cannot', async () => {
    const { wb, app, invoke } = setup();
    const home = mkdtempSync(join(tmpdir(), 'dw-shell-'));
    try {
      (wb as unknown as { home: string }).home = home;
      expect(await invoke(app.webContents, 'desktop:open-logs')).toEqual({ ok: true, result: { opened: true } });
      expect(electron.shell.openPath).toHaveBeenCalledWith(join(home, 'logs'));
      expect(existsSync(join(home, 'logs'))).toBe(true); // created, so a new data folder opens too
      electron.shell.openPath.mockResolvedValueOnce('no file manager');
      expect(await invoke(app.webContents, 'desktop:open-logs')).toEqual({ ok: false, error: { code: 'io', message: `could not open ${join(home, 'logs')}: no file manager` } });
      expect(wb.call).not.toHaveBeenCalled();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses a path the user never chose, for every path-bearing method, without calling the facade', async () => {
    const { wb, app, invoke } = setup();
    const calls: [string, Record<string, unknown>][] = [
      ['datasets:import', { path: '/etc/passwd' }],
      ['runs:export-model', { id: 1, out: '/home/me/thesis', force: true }],
      ['submissions:export', { runIds: [1], datasetId: 2, out: '/home/me/budget.csv', force: true }],
    ];
    for (const [name, args] of calls) {
      const field = 'path' in args ? 'path' : 'out';
      expect(await invoke(app.webContents, name, args), name).toEqual({
        ok: false,
        error: { code: 'bad-input', message: expect.stringMatching(new RegExp(`^${name}: ${field} ".*" was not chosen in a dialog or dropped on the window since the app started`)), details: { field } },
      });
    }
    expect(wb.call).not.toHaveBeenCalled();
  });

  it('accepts a path picked in the open dialog, for reading only', async () => {
    const { wb, app, invoke } = setup();
    expect(await invoke(app.webContents, 'desktop:open-file', { purpose: 'import-csv' })).toEqual({ ok: true, result: { path: '/home/me/train.csv' } });
    expect(await invoke(app.webContents, 'datasets:import', { path: '/home/me/train.csv' })).toMatchObject({ ok: true });
    expect(wb.call).toHaveBeenCalledWith('datasets:import', { path: '/home/me/train.csv' });
    expect(await invoke(app.webContents, 'submissions:export', { runIds: [1], datasetId: 2, out: '/home/me/train.csv', force: true })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await invoke(app.webContents, 'datasets:import', { path: '/home/me/other.csv' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(wb.call).toHaveBeenCalledTimes(1);
  });

  it('accepts a file dropped on the app’s window (reported by the preload), not one a stranger reports', async () => {
    const { wb, app, invoke, drop } = setup();
    drop(new electron.FakeWebContents(), '/home/me/stranger.csv');
    drop(app.webContents, 'relative.csv');
    drop(app.webContents, { path: '/home/me/object.csv' });
    for (const path of ['/home/me/stranger.csv', 'relative.csv']) {
      expect(await invoke(app.webContents, 'datasets:import', { path }), path).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    }
    drop(app.webContents, '/home/me/dropped.csv');
    expect(await invoke(app.webContents, 'datasets:import', { path: '/home/me/dropped.csv', kind: 'test' })).toMatchObject({ ok: true });
    expect(wb.call).toHaveBeenCalledTimes(1);
    expect(wb.call).toHaveBeenCalledWith('datasets:import', { path: '/home/me/dropped.csv', kind: 'test' });
  });

  it('a path chosen in the save dialog allows writing exactly that path', async () => {
    const { wb, app, invoke } = setup();
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/me/sub.csv' });
    expect(await invoke(app.webContents, 'desktop:save-file', { purpose: 'submission', defaultName: 'sub.csv' })).toEqual({ ok: true, result: { path: '/home/me/sub.csv' } });
    const exportTo = (out: string) => invoke(app.webContents, 'submissions:export', { runIds: [1], datasetId: 2, out });
    expect(await exportTo('/home/me/sub.csv')).toMatchObject({ ok: true });
    for (const out of ['/home/me/sub2.csv', '/home/me/sub.csv.csv', '/home/me', '/home/me/x/../sub.csv', '/home/me//sub.csv']) {
      expect(await exportTo(out), out).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    }
    expect(await invoke(app.webContents, 'datasets:import', { path: '/home/me/sub.csv' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(wb.call).toHaveBeenCalledTimes(1);
    expect(wb.call).toHaveBeenCalledWith('submissions:export', { runIds: [1], datasetId: 2, out: '/home/me/sub.csv' });
  });

  it('an ONNX save dialog answers a .onnx path (GTK adds no extension), and only that path may be exported to', async () => {
    const { wb, app, invoke } = setup();
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/me/lenet' });
    expect(await invoke(app.webContents, 'desktop:save-file', { purpose: 'onnx', defaultName: 'digit-workbench-run3-best.onnx' })).toEqual({ ok: true, result: { path: '/home/me/lenet.onnx' } });
    expect(electron.dialog.showSaveDialog.mock.calls.at(-1)!.at(-1)).toMatchObject({ filters: [{ name: 'ONNX model', extensions: ['onnx'] }] });
    const exportTo = (out: string) => invoke(app.webContents, 'runs:export-model', { id: 3, out, format: 'onnx' });
    expect(await exportTo('/home/me/lenet')).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await exportTo('/home/me/lenet.onnx')).toMatchObject({ ok: true });
    expect(wb.call).toHaveBeenCalledWith('runs:export-model', { id: 3, out: '/home/me/lenet.onnx', format: 'onnx' });
  });

  it('forwards events to live windows only, and unregisters cleanly', () => {
    const { app, other, dispose, listeners } = setup();
    other.destroyed = true;
    const event: WorkbenchEvent = { type: 'datasets:changed' };
    for (const l of listeners) l(event);
    expect(app.webContents.send).toHaveBeenCalledWith('workbench:event', event);
    expect(other.webContents.send).not.toHaveBeenCalled();
    dispose();
    expect(listeners.size).toBe(0);
    expect(electron.ipcMain.removeHandler).toHaveBeenCalledWith('workbench:call');
    expect(electron.handlers.has('workbench:call')).toBe(false);
    expect(electron.mainListeners.has('workbench:dropped-path')).toBe(false);
  });
});

describe('the preload', () => {
  it('exposes exactly the contract’s methods, onEvent and pathForFile, through one channel', async () => {
    await import('../../src/preload/index.js');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [
      string,
      { methods: Record<string, Listener>; onEvent: Listener; pathForFile: Listener },
    ];
    expect(key).toBe('workbench');
    expect(Object.keys(api).sort()).toEqual(['methods', 'onEvent', 'pathForFile']);
    expect(api.pathForFile({ name: 'train.csv' })).toBe('/home/me/train.csv');
    // The preload vouches for the drop to main; the page never gets a way to send a path of its choosing.
    expect(electron.ipcRenderer.send).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith('workbench:dropped-path', '/home/me/train.csv');
    electron.webUtils.getPathForFile.mockReturnValueOnce('');
    expect(api.pathForFile({ name: 'made-by-the-page.csv' })).toBe('');
    expect(electron.ipcRenderer.send).toHaveBeenCalledTimes(1);
    expect(Object.keys(api.methods).sort()).toEqual(Object.keys(contract).sort());
    for (const fn of Object.values(api.methods)) expect(typeof fn).toBe('function');

    expect(await api.methods['runs:get']({ id: 1 })).toEqual({ ok: true, result: 'reply' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('workbench:call', 'runs:get', { id: 1 });

    // The page's listener gets the event only, never Electron's IpcRendererEvent (which carries the sender).
    const seen: unknown[][] = [];
    const off = api.onEvent((...args: unknown[]) => seen.push(args)) as () => void;
    const [channel, wrapped] = electron.ipcRenderer.on.mock.calls[0] as [string, Listener];
    expect(channel).toBe('workbench:event');
    wrapped({ sender: 'ipcRenderer' }, { type: 'datasets:changed' });
    expect(seen).toEqual([[{ type: 'datasets:changed' }]]);
    off();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith('workbench:event', wrapped);
  });
});

describe('the built preload', () => {
  // A sandboxed preload can require electron and nothing from node_modules: the contract's schemas (zod) must be
  // bundled into it. Needs `npm run build` (npm test runs it).
  it('requires nothing but electron', () => {
    const built = join(process.cwd(), 'out', 'preload', 'index.cjs');
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build`);
    const required = [...readFileSync(built, 'utf8').matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });
});

describe('the application menu', () => {
  it('navigates the window to each view with a shortcut', async () => {
    const { menuTemplate } = await import('../../src/main/menu.js');
    const sent: WorkbenchEvent[] = [];
    const importCsv = vi.fn();
    const items = menuTemplate((e) => sent.push(e), importCsv, false).flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : []));
    const byLabel = new Map(items.filter((i) => i.label).map((i) => [i.label!, i]));
    (byLabel.get('Import CSV…')!.click as () => void)();
    expect(importCsv).toHaveBeenCalledTimes(1);
    expect(byLabel.get('Import CSV…')!.accelerator).toBe('CmdOrCtrl+O');
    for (const [label, accelerator, route] of [
      ['New run…', 'CmdOrCtrl+N', '#/new'],
      ['Draw a digit', 'CmdOrCtrl+D', '#/draw'],
      ['Compare', 'CmdOrCtrl+3', '#/compare'],
      ['Runs', 'CmdOrCtrl+2', '#/runs'],
      ['Settings', 'CmdOrCtrl+,', '#/settings'],
    ] as const) {
      const item = byLabel.get(label)!;
      expect(item.accelerator).toBe(accelerator);
      (item.click as () => void)();
      expect(sent.at(-1)).toEqual({ type: 'app:navigate', route });
    }
  });
});

describe('trainer utility processes', () => {
  const gone = (child: InstanceType<typeof electron.UtilityChild>, reason: string, exitCode: number, name = child.options.serviceName) =>
    electron.app.emit('child-process-gone', {}, { type: 'Utility', reason, exitCode, name, serviceName: 'node.mojom.NodeService' });

  async function spawnOne() {
    const { utilityTrainerSpawner } = await import('../../src/main/trainer.js');
    const handle = utilityTrainerSpawner('/app/build/node/trainer/main.js', outputLines)();
    const child = electron.UtilityChild.forked.at(-1)!;
    const reasons: string[] = [];
    handle.onExit((r) => reasons.push(r));
    return { handle, child, reasons };
  }

  it('reports the reason Chromium gives when the process is gone, whichever of exit and gone comes first', async () => {
    const a = await spawnOne();
    gone(a.child, 'oom', 9);
    expect(a.reasons).toEqual([]); // not before it has exited
    a.child.emit('exit', 9);
    expect(a.reasons).toEqual(['the trainer process ran out of memory (oom, exit code 9)']);

    const b = await spawnOne();
    expect(b.child.options.serviceName).not.toBe(a.child.options.serviceName);
    b.child.emit('exit', 11);
    gone(b.child, 'crashed', 11);
    gone(b.child, 'crashed', 11);
    expect(b.reasons).toEqual(['the trainer process crashed (crashed, exit code 11)']);
    expect(electron.app.listeners.get('child-process-gone')).toEqual([]);
  });

  it('ignores other processes that are gone, and falls back to the exit code when no reason comes', async () => {
    vi.useFakeTimers();
    const { GONE_GRACE_MS } = await import('../../src/main/trainer.js');
    const t = await spawnOne();
    gone(t.child, 'killed', 9, 'Audio Service');
    gone(t.child, 'killed', 9, 'digit-workbench trainer 999');
    t.child.emit('error', 'FatalError', 'v8::internal::Heap::FatalProcessOutOfMemory');
    t.child.emit('exit', 0);
    expect(t.reasons).toEqual([]);
    vi.advanceTimersByTime(GONE_GRACE_MS);
    expect(t.reasons).toEqual(['the trainer process exited with code 0: FatalError at v8::internal::Heap::FatalProcessOutOfMemory']);
    // Nothing is sent to, or killed in, a process that has exited.
    t.handle.send({ type: 'stop', runId: 1 });
    t.handle.kill();
    expect(t.child.postMessage).not.toHaveBeenCalled();
    expect(t.child.kill).not.toHaveBeenCalled();
  });

  it('fails the run it was training with that reason (real Workbench and SQLite)', async () => {
    const { Workbench } = await import('../../src/core/workbench.js');
    const { utilityTrainerSpawner } = await import('../../src/main/trainer.js');
    const { tempDir } = await import('../helpers/temp-home.js');
    const { importSmallTrainSet } = await import('../helpers/small-dataset.js');
    const dir = tempDir();
    const wb = new Workbench({ home: dir.path, sample: false, spawnTrainer: utilityTrainerSpawner('/app/build/node/trainer/main.js', outputLines) });
    try {
      const datasetId = await importSmallTrainSet(wb, dir.path, 60);
      const [run] = await wb.call('runs:start', { datasetId, preset: 'dnn', hyperparams: { epochs: 1 } });
      const child = electron.UtilityChild.forked.at(-1)!;
      expect(child.entry).toBe('/app/build/node/trainer/main.js');
      expect(child.postMessage).toHaveBeenCalledWith(expect.objectContaining({ type: 'train', runId: run.id }));
      gone(child, 'oom', 9);
      child.emit('exit', 9);
      expect(await wb.runs.waitFor(run.id)).toBe('failed');
      expect((await wb.call('runs:get', { id: run.id })).error).toBe('the trainer process ran out of memory (oom, exit code 9) during epoch 1');
    } finally {
      wb.close();
      dir.remove();
    }
  });
});
