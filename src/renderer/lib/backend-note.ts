// A run's backend note in a sentence for its card: the trainer records why a preferred backend did not load (a
// raw module-resolution error with a path); the card says what that means and Settings keeps the details.

/** "tensorflow: Cannot find package '@tensorflow/tfjs-node' imported from …" → "native TensorFlow not installed". */
export function backendNoteText(note: string | null): string | null {
  if (!note) return null;
  const parts = note.split(/;\s+(?=\w+: )/).map((part) => {
    const m = /^(\w+): ([\s\S]*)$/.exec(part);
    const [name, reason] = m ? [m[1], m[2]] : ['', part];
    if (name === 'tensorflow' && /cannot find (package|module)|ERR_MODULE_NOT_FOUND|not installed/i.test(reason)) return 'native TensorFlow not installed';
    if (name === 'tensorflow') return 'native TensorFlow did not load';
    if (name === 'native' && /not built|not installed|turned off|lacks AVX2/.test(reason)) return `oneDNN kernels ${/turned off/.test(reason) ? 'turned off' : /AVX2/.test(reason) ? 'need AVX2' : 'not built'}`;
    if (name === 'native') return 'oneDNN kernels did not load';
    return name ? `${name} did not load` : 'another backend did not load';
  });
  return [...new Set(parts)].join('; ');
}
