// A stand-in for @tensorflow/tfjs-node (loaded when DIGIT_WORKBENCH_TFJS_NODE_MODULE names this file): it registers
// tfjs's pure-JS cpu backend under tfjs-node's name, 'tensorflow', so tests take the native path — reported
// available, chosen first, recorded on runs — on machines where tfjs-node does not install. Plain JavaScript: the
// compiled trainer process and its worker threads import it too.
import * as tf from '@tensorflow/tfjs';

const cpu = tf.findBackendFactory('cpu');
if (!cpu) throw new Error('fake-tfjs-node: @tensorflow/tfjs registered no cpu backend');
if (!tf.findBackendFactory('tensorflow')) {
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
  tf.registerBackend('tensorflow', () => {
    const backend = cpu();
    // The cpu backend's one-off "install tfjs-node" hint would be noise here.
    backend.firstUse = false;
    return backend;
  });
}
