// The ONNX graph against the app's own prediction, without training: the presets and a model of every layer type
// with trained-looking weights (BatchNorm statistics far from 0 and 1, so a misplaced BatchNorm shows), run in
// ONNX Runtime on raw pixel bytes and in the engine on pixels scaled as training scales them.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnistDigits } from '../../src/core/datasets/mnist-digits.js';
import { BN_EPSILON as CORE_BN_EPSILON, onnxModel, type OnnxExportInfo } from '../../src/core/inference/onnx-graph.js';
import { decodeOnnx, encodeOnnx } from '../../src/core/inference/onnx-proto.js';
import { presets } from '../../src/core/training/presets.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { scalePixels } from '../../src/shared/pixels.js';
import { createEngine, planModel } from '../../src/trainer/engine/index.js';
import { BN_EPSILON } from '../../src/trainer/engine/model.js';
import { farStatisticsWeights } from '../helpers/gradient-models.js';
import { agreement, EVERY_LAYER, runOnnx } from '../helpers/onnx-runtime.js';

const INFO: OnnxExportInfo = { appVersion: '9.9.9', runId: 7, preset: 'custom', datasetSha256: 'ab'.repeat(32), validationAccuracy: 0.5, weights: 'best', epoch: 3 };
const N = 64;
let pixels: Uint8Array;

beforeAll(() => {
  const digits = loadMnistDigits();
  pixels = digits.pixels.slice(0, N * 784);
});

const trainedLooking = (layers: LayerSpec[], seed: number) => farStatisticsWeights(planModel(layers), seed);

/** The app's prediction: the engine (inference plan, BatchNorm folded) on pixels scaled 0–1. */
async function appPredict(layers: LayerSpec[], weights: Float32Array): Promise<Float32Array> {
  const engine = await createEngine({ layers, optimizer: { name: 'adam', learningRate: 1e-3 }, seed: 0, backend: 'wasm', workers: 1 });
  try {
    await engine.loadState({ ...(await engine.saveState()), weights: new Uint8Array(weights.buffer.slice(0)) });
    return await engine.predict(scalePixels(pixels, new Float32Array(pixels.length)));
  } finally {
    await engine.dispose();
  }
}

const MODELS: [string, LayerSpec[]][] = [
  ['seed-lenet5', presets['seed-lenet5'].hyperparams.model],
  ['dnn', presets.dnn.hyperparams.model],
  ['cnn-strong', presets['cnn-strong'].hyperparams.model],
  ['every layer type', EVERY_LAYER],
];

describe('ONNX graph of a model', () => {
  for (const [name, layers] of MODELS) {
    it(`${name}: ONNX Runtime on raw bytes gives the app's probabilities (within 1e-5, same labels)`, async () => {
      const weights = trainedLooking(layers, 11);
      const expected = await appPredict(layers, weights);
      const got = await runOnnx(encodeOnnx(onnxModel(layers, weights, INFO)), pixels);
      const a = agreement(got, expected);
      expect(a.maxDiff).toBeLessThan(1e-5);
      expect(a.labelMismatches).toBe(0);
      // Not a constant model, whose every image would agree whatever the layout: rows differ from the first one by
      // hundreds of times the tolerance.
      expect(Math.max(...expected.map((p, i) => Math.abs(p - expected[i % 10])))).toBeGreaterThan(5e-3);
    });
  }

  it('a weight changed by 0.05 is caught by the same comparison', async () => {
    const weights = trainedLooking(EVERY_LAYER, 11);
    const expected = await appPredict(EVERY_LAYER, weights);
    const broken = weights.slice();
    broken[0] += 0.05; // the first conv kernel's top-left tap of filter 0 on the input channel
    const a = agreement(await runOnnx(encodeOnnx(onnxModel(EVERY_LAYER, broken, INFO)), pixels), expected);
    expect(a.maxDiff).toBeGreaterThan(1e-5);
  });

  it('declares pixels [N,28,28,1] in, probabilities [N,10] out, opset 13, explicit TF padding and Keras BatchNorm', () => {
    expect(CORE_BN_EPSILON).toBe(BN_EPSILON);
    const model = decodeOnnx(encodeOnnx(onnxModel(EVERY_LAYER, trainedLooking(EVERY_LAYER, 1), INFO))) as any;
    expect(model.ir_version).toBe(7);
    expect(model.opset_import).toEqual([{ domain: '', version: 13 }]);
    const dims = (v: any) => v.type.tensor_type.shape.dim.map((d: any) => d.dim_value ?? d.dim_param);
    expect(model.graph.input.map((v: any) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([['pixels', 1, ['N', 28, 28, 1]]]);
    expect(model.graph.output.map((v: any) => [v.name, dims(v)])).toEqual([['probabilities', ['N', 10]]]);
    const nodes = model.graph.node as any[];
    const attr = (node: any, name: string) => node.attribute.find((a: any) => a.name === name);
    expect(nodes[0]).toMatchObject({ op_type: 'Div', input: ['pixels', 'pixel_scale'] });
    // 5×5 stride 2 'same' on 28: 3 pixels of padding, 1 on top and left, 2 on the bottom and right; 4×4 stride 1: the same split.
    const convs = nodes.filter((n) => n.op_type === 'Conv');
    expect(convs.map((n) => attr(n, 'pads').ints)).toEqual([[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, 0, 0]]);
    expect(attr(nodes.find((n) => n.op_type === 'BatchNormalization'), 'epsilon').f).toBeCloseTo(1e-3, 9);
    // One transpose into NCHW, one back before the Flatten; the softmax over the channels is axis 1 there.
    expect(nodes.filter((n) => n.op_type === 'Transpose').map((n) => attr(n, 'perm').ints)).toEqual([[0, 3, 1, 2], [0, 2, 3, 1]]);
    expect(nodes.filter((n) => n.op_type === 'Softmax').map((n) => attr(n, 'axis').i)).toEqual([1, 1]);
    expect(nodes.at(-1)).toMatchObject({ op_type: 'Softmax', output: ['probabilities'] });
    expect(nodes.some((n) => n.op_type === 'Dropout')).toBe(false);
    const meta = Object.fromEntries(model.metadata_props.map((p: any) => [p.key, p.value]));
    expect(meta).toMatchObject({ app_version: '9.9.9', run_id: '7', preset: 'custom', dataset_sha256: INFO.datasetSha256, validation_accuracy: '0.5', weights: 'best', epoch: '3' });
  });

  it('a dense model stays in the input layout: no transposes', () => {
    const model = decodeOnnx(encodeOnnx(onnxModel(presets.dnn.hyperparams.model, trainedLooking(presets.dnn.hyperparams.model, 1), INFO))) as any;
    expect(model.graph.node.map((n: any) => n.op_type)).toEqual(['Div', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
  });
});
