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
});
