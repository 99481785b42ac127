// Picks the tfjs backend once per process: native (the oneDNN kernel set) → tensorflow (tfjs-node) → wasm (+ the
// project's SIMD kernels) → cpu. Also reports which backends can load here and why the others cannot (Settings).

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { WorkbenchError } from '../../shared/errors.js';
import { BACKEND_NAMES, type KernelInfo } from '../../shared/trainer-protocol.js';
import { nativeInfo, registerNativeBackend } from './native/backend.js';
import type { BackendName } from './types.js';
import { registerWasmKernels } from './wasm-kernels.js';

export interface ResolvedBackend {
  name: BackendName;
  /** Why a preferred backend did not load; null when the first choice loaded. */
  note: string | null;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  /** The load error when unavailable. */
  reason: string | null;
  /** The native backend's library and instruction set where it loads. */
  kernels?: KernelInfo | null;
}

const ORDER: readonly BackendName[] = BACKEND_NAMES;
const loads = new Map<BackendName, Promise<string | null>>();
let auto: Promise<ResolvedBackend> | undefined;

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Makes one backend usable in this process; resolves to null, or to the reason it cannot load. Memoised. */
export function loadBackend(name: BackendName): Promise<string | null> {
  let pending = loads.get(name);
  if (!pending) {
    pending = loadOnce(name).then(
      () => null,
      (err: unknown) => message(err),
    );
    loads.set(name, pending);
  }
  return pending;
}

/**
 * The module that provides the tensorflow backend: tfjs-node, an optional dependency that is often absent (hence a
 * variable specifier). DIGIT_WORKBENCH_TFJS_NODE_MODULE is for tests only: the path of a stand-in module that
 * registers a 'tensorflow' backend (tests/helpers/fake-tfjs-node.mjs registers tfjs's cpu backend under that
 * name), so the tfjs-node path — availability, the auto choice, runs recorded and resumed on it — is exercised on
 * machines where tfjs-node does not install.
 */
function tfjsNodeModule(): string {
  const standIn = process.env.DIGIT_WORKBENCH_TFJS_NODE_MODULE;
  return standIn ? pathToFileURL(standIn).href : '@tensorflow/tfjs-node';
}

async function loadOnce(name: BackendName): Promise<void> {
  if (name === 'native') {
    registerNativeBackend();
  } else if (name === 'tensorflow') {
    try {
      await import(tfjsNodeModule());
    } catch (err) {
      // Said as what to do rather than as a module-resolution error with a path in it (Settings shows this, and a
      // browser never sees server paths): the package absent, or present without its native part.
      const code = (err as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' && !process.env.DIGIT_WORKBENCH_TFJS_NODE_MODULE) {
        throw new Error('not installed (@tensorflow/tfjs-node is optional: its libtensorflow download failed or was skipped at npm install). The Native and WebAssembly backends need nothing more');
      }
      if (code === 'MODULE_NOT_FOUND' || code === 'ERR_DLOPEN_FAILED') {
        throw new Error('installed without its native part (libtensorflow did not download or does not load on this system): run `npm rebuild @tensorflow/tfjs-node` where Digit Workbench is installed, or use the Native or WebAssembly backend');
      }
      throw err;
    }
    if (!tf.findBackendFactory('tensorflow')) throw new Error('tfjs-node loaded but registered no backend');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the binaries are read from the package's dist folder, not fetched.
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dir}/`);
  }
  const previous = tf.getBackend();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
  if (name === 'wasm') registerWasmKernels();
  // The cpu backend's one-off "install tfjs-node" hint: the run records its backend, the hint is only noise.
  if (name === 'cpu') (tf.findBackend('cpu') as { firstUse?: boolean } | null)!.firstUse = false;
  // Loading is not choosing: leave the process on whatever it used before.
  if (previous && previous !== name) await tf.setBackend(previous);
}

/** The backend a run uses: the forced one (or a clear error), else the first of native → tensorflow → wasm → cpu. */
export async function resolveBackend(forced?: BackendName): Promise<ResolvedBackend> {
  if (forced) {
    if (!ORDER.includes(forced)) throw new WorkbenchError('bad-input', `Unknown backend "${String(forced)}"`);
    const reason = await loadBackend(forced);
    if (reason !== null) {
      throw new WorkbenchError('trainer', `The ${forced} backend cannot load here: ${reason}`, { backend: forced, reason });
    }
    return { name: forced, note: null };
  }
  auto ??= (async () => {
    const reasons: string[] = [];
    for (const name of ORDER) {
      const reason = await loadBackend(name);
      if (reason === null) return { name, note: reasons.length ? reasons.join('; ') : null };
      reasons.push(`${name}: ${reason}`);
    }
    throw new WorkbenchError('trainer', `No tfjs backend loads here (${reasons.join('; ')})`);
  })();
  return auto;
}

/** Makes `name` the active tfjs backend (engines of different backends may share a process, e.g. in tests). */
export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name) await tf.setBackend(name);
}

/** Which backends load in this process, with the reason for each that does not. */
export async function availableBackends(): Promise<BackendAvailability[]> {
  const out: BackendAvailability[] = [];
  for (const name of ORDER) {
    const reason = await loadBackend(name);
    out.push({ name, available: reason === null, reason, ...(name === 'native' ? { kernels: reason === null ? nativeInfo() : null } : {}) });
  }
  return out;
}
