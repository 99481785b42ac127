// A run's layers and weights as an ONNX graph (opset 13) computing what the app's prediction computes.
//
// Layout: the input `pixels` is float32 [N,28,28,1] (NHWC, the app's own layout and a Kaggle CSV row reshaped),
// raw bytes 0–255: the graph divides by 255 first, exactly as training scales (src/shared/pixels.ts). ONNX's Conv,
// MaxPool and BatchNormalization are NCHW, so the tensor is transposed to NCHW before the first of them and the
// kernels [kh,kw,in,out] are stored as [out,in,kh,kw]; Keras's Flatten flattens height, width, channel order, so
// an NCHW tensor goes back to NHWC before a Flatten (the dense weights stay as trained). 'same' padding is explicit:
// TF pads the odd pixel at the bottom and right, which stride 2 makes visible. BatchNorm is a BatchNormalization
// node (epsilon 1e-3; ONNX Runtime folds it into the convolution itself); dropout is left out (identity).

import { CLASSES, SIDE } from '../../shared/digits.js';
import { BYTE_MAX } from '../../shared/pixels.js';
import type { Activation, LayerSpec } from '../../shared/model-spec.js';
import { layerShapes, type LayerShape } from '../../shared/model-summary.js';
import { WorkbenchError } from '../../shared/errors.js';
import { AttributeType, DataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** Keras's BatchNormalization epsilon, as src/trainer/engine/model.ts's BN_EPSILON (the core cannot import it). */
export const BN_EPSILON = 1e-3;
/** Opset 13: Softmax over one axis (opset 11's flattened every axis after it, wrong for channels). */
export const OPSET = 13;
/** The IR version that opset 13 came with (ONNX 1.8). */
const IR_VERSION = 7;
export const INPUT_NAME = 'pixels';
export const OUTPUT_NAME = 'probabilities';

export interface OnnxExportInfo {
  appVersion: string;
  runId: number;
  preset: string;
  datasetSha256: string;
  /** Of the exported epoch; null when the run had no validation figure for it. */
  validationAccuracy: number | null;
  weights: 'best' | 'last';
  epoch: number;
}

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints: values });
const int = (name: string, value: number): OnnxAttribute => ({ name, type: AttributeType.INT, i: value });
const float = (name: string, value: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f: value });

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true); // raw_data is little-endian
  return { name, dims, dataType: DataType.FLOAT, rawData: bytes };
}

/** Keras conv kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw]. */
function oihw(kernel: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** TF's 'same' padding along one axis: the total split with the extra pixel at the end (bottom or right). */
function samePads(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** The current value and its layout: NHWC and NCHW images, or a flat [N, features] row. */
  value = INPUT_NAME;
  layout: 'nhwc' | 'nchw' | 'flat' = 'nhwc';

  constant(tensor: OnnxTensor): string {
    this.initializers.push(tensor);
    return tensor.name;
  }

  op(name: string, opType: string, extraInputs: string[] = [], attribute: OnnxAttribute[] = []): void {
    const output = name;
    this.nodes.push({ name, opType, input: [this.value, ...extraInputs], output: [output], attribute });
    this.value = output;
  }

  toNchw(): void {
    if (this.layout !== 'nhwc') return;
    this.op('to_nchw', 'Transpose', [], [ints('perm', [0, 3, 1, 2])]);
    this.layout = 'nchw';
  }

  activation(name: string, act: Activation): void {
    if (act === 'relu') this.op(`${name}/relu`, 'Relu');
    // Keras applies softmax over the last axis: the channels of an image, which NCHW holds at axis 1.
    if (act === 'softmax') this.op(`${name}/softmax`, 'Softmax', [], [int('axis', this.layout === 'nhwc' ? 3 : 1)]);
  }
}

function addLayer(g: GraphBuilder, layer: LayerShape, params: Float32Array[]): void {
  const spec: LayerSpec = layer.spec;
  const name = layer.name;
  switch (spec.type) {
    case 'conv2d': {
      g.toNchw();
      const k = spec.kernelSize;
      const s = spec.strides ?? 1;
      const [top, bottom] = spec.padding === 'same' ? samePads(layer.inShape[0], k, s) : [0, 0];
      const [left, right] = spec.padding === 'same' ? samePads(layer.inShape[1], k, s) : [0, 0];
      const kernelShape = layer.params[0].shape;
      const kernel = g.constant(floatTensor(`${name}/kernel`, [kernelShape[3], kernelShape[2], k, k], oihw(params[0], kernelShape)));
      const bias = g.constant(floatTensor(`${name}/bias`, [spec.filters], params[1]));
      g.op(name, 'Conv', [kernel, bias], [ints('kernel_shape', [k, k]), ints('strides', [s, s]), ints('pads', [top, left, bottom, right]), ints('dilations', [1, 1]), int('group', 1)]);
      g.activation(name, spec.activation);
      return;
    }
    case 'maxPool2d': {
      g.toNchw();
      const p = spec.poolSize;
      const s = spec.strides ?? p;
      g.op(name, 'MaxPool', [], [ints('kernel_shape', [p, p]), ints('strides', [s, s]), ints('pads', [0, 0, 0, 0])]);
      return;
    }
    case 'batchNorm': {
      g.toNchw(); // channels at axis 1 (a flat row's features already are)
      const c = layer.params[0].shape[0];
      const inputs = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((p, i) => g.constant(floatTensor(`${name}/${p}`, [c], params[i])));
      g.op(name, 'BatchNormalization', inputs, [float('epsilon', BN_EPSILON)]);
      return;
    }
    case 'activation':
      g.activation(name, spec.activation);
      return;
    case 'dropout':
      return; // identity at inference
    case 'flatten':
      if (g.layout === 'nchw') {
        g.op(`${name}/to_nhwc`, 'Transpose', [], [ints('perm', [0, 2, 3, 1])]);
        g.layout = 'nhwc';
      }
      g.op(name, 'Flatten', [], [int('axis', 1)]);
      g.layout = 'flat';
      return;
    case 'dense': {
      const kernel = g.constant(floatTensor(`${name}/kernel`, layer.params[0].shape, params[0]));
      const bias = g.constant(floatTensor(`${name}/bias`, [spec.units], params[1]));
      g.op(name, 'Gemm', [kernel, bias], [float('alpha', 1), float('beta', 1), int('transA', 0), int('transB', 0)]);
      g.activation(name, spec.activation);
      return;
    }
  }
}

/**
 * The ONNX model of `layers` with `weights` (the trainer's flat layout: each layer's parameter tensors in
 * layerShapes' order, Keras shapes, float32).
 */
export function onnxModel(layers: LayerSpec[], weights: Float32Array, info: OnnxExportInfo): OnnxModel {
  const shapes = layerShapes(layers);
  const size = shapes.reduce((sum, l) => sum + l.params.reduce((a, p) => a + p.size, 0), 0);
  if (weights.length !== size) throw new WorkbenchError('internal', `run ${info.runId}: its checkpoint holds ${weights.length} weights, its model ${size}`);
  const g = new GraphBuilder();
  const scale = g.constant(floatTensor('pixel_scale', [], [BYTE_MAX]));
  g.op('scale_to_unit', 'Div', [scale]);
  let offset = 0;
  for (const layer of shapes) {
    const params = layer.params.map((p) => weights.subarray(offset, (offset += p.size)));
    addLayer(g, layer, params);
  }
  // layerShapes checked that the model ends in a softmax over the classes: that node's output is the answer.
  g.nodes[g.nodes.length - 1].output = [OUTPUT_NAME];
  const input = `float32 [N,${SIDE},${SIDE},1] (NHWC): pixel bytes 0–255, white digit on black as in Kaggle's CSV; the graph scales them by 1/${BYTE_MAX}`;
  const metadata: Record<string, string> = {
    app_version: info.appVersion,
    run_id: String(info.runId),
    preset: info.preset,
    dataset_sha256: info.datasetSha256,
    weights: info.weights,
    epoch: String(info.epoch),
    input,
  };
  if (info.validationAccuracy !== null) metadata.validation_accuracy = String(info.validationAccuracy);
  return {
    irVersion: IR_VERSION,
    opsetVersion: OPSET,
    producerName: 'Digit Workbench',
    producerVersion: info.appVersion,
    docString: `Digit Workbench run ${info.runId} (${info.preset}), ${info.weights} weights (epoch ${info.epoch}). Input ${INPUT_NAME}: ${input}. Output ${OUTPUT_NAME}: float32 [N,${CLASSES}], one row of class probabilities per image.`,
    graph: {
      name: `digit-workbench-run-${info.runId}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [{ name: INPUT_NAME, elemType: DataType.FLOAT, dims: ['N', SIDE, SIDE, 1], docString: input }],
      output: [{ name: OUTPUT_NAME, elemType: DataType.FLOAT, dims: ['N', CLASSES], docString: 'class probabilities 0–9 (each row sums to 1)' }],
    },
    metadata,
  };
}
