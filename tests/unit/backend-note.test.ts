// The run card says what a backend note means; the raw reason (with its path) stays in Settings.
import { describe, expect, it } from 'vitest';
import { backendNoteText } from '../../src/renderer/lib/backend-note.js';

describe('backendNoteText', () => {
  it('says native TensorFlow is not installed instead of the module-resolution error', () => {
    const note = "tensorflow: Cannot find package '@tensorflow/tfjs-node' imported from /work/build/node/trainer/engine/backend.js";
    expect(backendNoteText(note)).toBe('native TensorFlow not installed');
  });

  it('names each backend that did not load, without its raw reason', () => {
    expect(backendNoteText('tensorflow: libtensorflow.so: cannot open shared object file; wasm: tfjs could not initialise the wasm backend')).toBe(
      'native TensorFlow did not load; wasm did not load',
    );
    expect(backendNoteText(null)).toBeNull();
  });

  it('says what became of the native kernels in a few words', () => {
    expect(backendNoteText('native: oneDNN is not installed (Debian/Ubuntu: apt-get install libdnnl-dev), then npm run build:native')).toBe('oneDNN kernels not built');
    expect(backendNoteText('native: turned off by DIGIT_WORKBENCH_NATIVE=off; tensorflow: not installed (@tensorflow/tfjs-node is optional)')).toBe(
      'oneDNN kernels turned off; native TensorFlow not installed',
    );
    expect(backendNoteText('native: this CPU lacks AVX2 (oneDNN 2.6.3 would run at AVX): the wasm kernels are as fast')).toBe('oneDNN kernels need AVX2');
    expect(backendNoteText('native: the addon did not load: libdnnl.so.2: cannot open shared object file')).toBe('oneDNN kernels did not load');
  });
});
