// FLOPs per image of a model, counted from its plan: 2 × the multiply-adds of its convolutions and dense layers
// (BatchNorm, ReLU, pooling and softmax add well under 1% and are left out). Training costs ≈ 3× this per image
// (forward, input gradient, weight gradient).

import { planModel } from '../../build/node/trainer/engine/model.js';

export function modelFlops(layers) {
  let macs = 0;
  for (const l of planModel(layers).layers) {
    const [kernel] = l.params;
    if (l.spec.type === 'conv2d') {
      const [kh, kw, cin] = kernel.shape;
      macs += l.outShape[0] * l.outShape[1] * l.outShape[2] * kh * kw * cin;
    } else if (l.spec.type === 'dense') {
      macs += kernel.shape[0] * kernel.shape[1];
    }
  }
  return 2 * macs;
}
