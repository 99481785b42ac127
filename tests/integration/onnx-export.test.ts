// ONNX export of runs the real trainer trained (1 epoch on 1,000 digits): seed-lenet5, dnn, cnn-strong and a
// layer-editor model of every layer type. ONNX Runtime runs each file on the 200 validation digits and must give
// the app's own prediction within 1e-5 with the same labels; a weight changed in the file must fail that. Then
// the CLI, --force (only a file the ledger knows), the atomic write and serve mode's download.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src/core/workbench.js';
import { getDataset, loadDatasetArrays } from '../../src/core/datasets/repo.js';
import { requireCheckpoint } from '../../src/core/inference/model-export.js';
import { decodeOnnx } from '../../src/core/inference/onnx-proto.js';
import { getRunDetail } from '../../src/core/training/runs-repo.js';
import { appVersion } from '../../src/core/version.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { LayerSpec } from '../../src/shared/model-spec.js';
import { tempDir } from '../helpers/temp-home.js';
import { importSmallTrainSet } from '../helpers/small-dataset.js';
import { runCli } from '../helpers/cli-process.js';
import { agreement, EVERY_LAYER, runOnnx } from '../helpers/onnx-runtime.js';

let dir: ReturnType<typeof tempDir>;
let wb: Workbench;
let datasetId: number;
const runs: Record<string, number> = {};
const maxDiffs: Record<string, number> = {};

const MODELS: [string, string, LayerSpec[] | undefined][] = [
  ['seed-lenet5', 'seed-lenet5', undefined],
  ['dnn', 'dnn', undefined],
  ['cnn-strong', 'cnn-strong', undefined],
  ['every layer type', 'seed-lenet5', EVERY_LAYER],
];

beforeAll(async () => {
  dir = tempDir();
  wb = new Workbench({ home: join(dir.path, 'home'), sample: false, backend: 'wasm', workers: 1 });
  datasetId = await importSmallTrainSet(wb, dir.path, 1000);
  for (const [name, preset, model] of MODELS) {
    const hyperparams = { epochs: 1, validation: { mode: 'tail', ratio: 0.2 }, ...(model ? { model } : {}) };
    [{ id: runs[name] }] = await wb.call('runs:start', { datasetId, preset, hyperparams });
  }
  for (const id of Object.values(runs)) expect(await wb.runs.waitFor(id)).toBe('completed');
}, 600_000);
afterAll(() => {
  console.info(`ONNX Runtime vs the app, max probability difference: ${JSON.stringify(maxDiffs)}`);
  wb.close();
  dir.remove();
});

/** The run's validation digits (their pixels) and the app's own prediction of them from the stored checkpoint. */
async function validationAndApp(runId: number, weights: 'best' | 'last' = 'best'): Promise<{ pixels: Uint8Array; probs: Float32Array }> {
  const stored = wb.db.prepare('SELECT indices FROM val_predictions WHERE run_id = ?').pluck().get(runId) as Buffer;
  const indices = new Int32Array(new Uint8Array(stored).buffer);
  const all = loadDatasetArrays(wb.db, datasetId).pixels;
  const pixels = new Uint8Array(indices.length * 784);
  indices.forEach((row, i) => pixels.set(all.subarray(row * 784, (row + 1) * 784), i * 784));
  const run = getRunDetail(wb.db, runId);
  const checkpoint = requireCheckpoint(wb.db, runId, weights);
  const reply = await wb.inference.request({ type: 'predict', model: run.hyperparams.model, checkpoint, pixels, tta: false, backend: 'wasm' }, 'predicted');
  return { pixels, probs: reply.probs };
}

async function expectAgrees(file: string, runId: number, weights: 'best' | 'last' = 'best'): Promise<number> {
  const { pixels, probs } = await validationAndApp(runId, weights);
  const a = agreement(await runOnnx(readFileSync(file), pixels), probs);
  expect(a.maxDiff).toBeLessThan(1e-5);
  expect(a.labelMismatches).toBe(0);
  return a.maxDiff;
}

describe('an ONNX export runs in ONNX Runtime as the app predicts', () => {
  for (const [name] of MODELS) {
    it(`${name}: probabilities on the 200 validation digits within 1e-5 of the app's, same labels`, async () => {
      const out = join(dir.path, `${name.replace(/ /g, '-')}.onnx`);
      const result = await wb.call('runs:export-model', { id: runs[name], out, format: 'onnx' });
      expect(result).toMatchObject({ format: 'onnx', path: out, files: [`${name.replace(/ /g, '-')}.onnx`] });
      const { pixels } = await validationAndApp(runs[name]);
      expect(pixels.length).toBe(200 * 784);
      maxDiffs[name] = await expectAgrees(out, runs[name]);
    });
  }

  it('names the run in metadata_props: app version, run id, preset, dataset sha256, validation accuracy', () => {
    const id = runs['cnn-strong'];
    const model = decodeOnnx(readFileSync(join(dir.path, 'cnn-strong.onnx'))) as { metadata_props: { key: string; value: string }[]; producer_name: string };
    const meta = Object.fromEntries(model.metadata_props.map((p) => [p.key, p.value]));
    const run = getRunDetail(wb.db, id);
    const epoch = run.epochs.find((e) => e.epoch === requireCheckpoint(wb.db, id, 'best').epoch)!;
    expect(meta).toMatchObject({
      app_version: appVersion(),
      run_id: String(id),
      preset: 'cnn-strong',
      dataset_sha256: getDataset(wb.db, datasetId).sha256,
      validation_accuracy: String(epoch.valAcc),
      weights: 'best',
      epoch: String(epoch.epoch),
    });
    expect(model.producer_name).toBe('Digit Workbench');
  });

  it('a weight changed in the file fails the comparison (and the file is no longer the app’s to replace)', async () => {
    const id = runs['seed-lenet5'];
    const file = join(dir.path, 'seed-lenet5.onnx');
    const bytes = new Uint8Array(readFileSync(file));
    const graph = (decodeOnnx(bytes) as { graph: { initializer: { name: string; raw_data: Uint8Array }[] } }).graph;
    const kernel = graph.initializer.find((t) => t.name === 'conv2d/kernel')!.raw_data;
    const at = Buffer.from(bytes).indexOf(Buffer.from(kernel));
    expect(at).toBeGreaterThan(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, 4);
    view.setFloat32(0, view.getFloat32(0, true) + 0.05, true);
    const broken = join(dir.path, 'broken.onnx');
    writeFileSync(broken, bytes);
    const { pixels, probs } = await validationAndApp(id);
    const a = agreement(await runOnnx(bytes, pixels), probs);
    expect(a.maxDiff).toBeGreaterThan(1e-5);
    writeFileSync(file, bytes); // the export, edited in place by the user
    await expect(wb.call('runs:export-model', { id, out: file, format: 'onnx', force: true })).rejects.toThrow(`${file} is not a model Digit Workbench wrote`);
    expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);
  });
});

describe('model export --format onnx on the CLI, and --force', () => {
  const cli = (...args: string[]) => runCli(join(dir.path, 'home'), args);

  it('writes the file (format from the .onnx name or --format), refuses to overwrite without --force, replaces its own with it', async () => {
    const id = runs.dnn;
    const out = join(dir.path, 'cli.onnx');
    const first = await cli('model', 'export', '--run', String(id), '--out', out);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^exported run ${id} \\(best weights, epoch 1\\) as an ONNX model to ${out}\\n$`));
    await expectAgrees(out, id);
    const again = await cli('model', 'export', '--run', String(id), '--out', out, '--format', 'onnx');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} exists already (use --force to replace it)`);
    const forced = await cli('model', 'export', '--run', String(id), '--out', out, '--format', 'onnx', '--weights', 'last', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ run: id, weights: 'last', format: 'onnx', path: out, epoch: 1 });
    await expectAgrees(out, id, 'last');
    const ledger = wb.db.prepare('SELECT weights, format, path FROM model_exports WHERE path = ? ORDER BY id').all(out);
    expect(ledger).toEqual([{ weights: 'best', format: 'onnx', path: out }, { weights: 'last', format: 'onnx', path: out }]);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('--force refuses a file the app did not write, a symlink, a folder; an ONNX export must be a .onnx file', async () => {
    const id = runs.dnn;
    const theirs = join(dir.path, 'theirs.onnx');
    writeFileSync(theirs, 'a model converted by hand');
    const r = await cli('model', 'export', '--run', String(id), '--out', theirs, '--force');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${theirs} is not a model Digit Workbench wrote (its contents match no export in the ledger)`);
    expect(readFileSync(theirs, 'utf8')).toBe('a model converted by hand');
    // A link, even to an export, is the user's: replacing it would write through it or drop it.
    const link = join(dir.path, 'link.onnx');
    symlinkSync(join(dir.path, 'dnn.onnx'), link);
    const l = await cli('model', 'export', '--run', String(id), '--out', link, '--force');
    expect(l.stderr).toContain(`${link} is a symbolic link, not a model Digit Workbench wrote`);
    const folder = join(dir.path, 'folder.onnx');
    mkdirSync(folder);
    const f = await cli('model', 'export', '--run', String(id), '--out', folder, '--force');
    expect(f.stderr).toContain(`${folder} is not a regular file`);
    expect(readdirSync(folder)).toEqual([]);
    const wrongName = await cli('model', 'export', '--run', String(id), '--out', join(dir.path, 'model.bin'), '--format', 'onnx');
    expect(wrongName.stderr).toContain('an ONNX export is one .onnx file');
    const badFormat = await cli('model', 'export', '--run', String(id), '--out', join(dir.path, 'x.onnx'), '--format', 'pt');
    expect(badFormat.stderr).toContain('--format must be tfjs or onnx (got "pt")');
    expect(existsSync(join(dir.path, 'model.bin'))).toBe(false);
    expect(existsSync(join(dir.path, 'x.onnx'))).toBe(false);
  });
});

describe('serve mode downloads the ONNX file (the browser never names a server path)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ wb, webRoot: dir.path });
  });
  afterAll(async () => {
    await server.close();
  });
  const post = (query: string) => fetch(`http://127.0.0.1:${server.port}/download/model?${query}&token=${server.token}`, { method: 'POST' });

  it('exports into the data folder and sends the file, which ONNX Runtime runs as the app predicts', async () => {
    const id = runs['seed-lenet5'];
    const res = await post(`run=${id}&weights=best&format=onnx`);
    expect(res.status).toBe(200);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    expect(name).toMatch(new RegExp(`^digit-workbench-run${id}-best-[0-9T-]+Z\\.onnx$`));
    expect(res.headers.get('x-model-epoch')).toBe('1');
    const body = new Uint8Array(await res.arrayBuffer());
    const { pixels, probs } = await validationAndApp(id);
    expect(agreement(await runOnnx(body, pixels), probs).maxDiff).toBeLessThan(1e-5);
    expect(readdirSync(join(dir.path, 'home', 'exports'))).toContain(name);
  });

  it('explains that a tfjs folder is not a download, and refuses a bad run', async () => {
    const tfjs = await post(`run=${runs.dnn}&format=tfjs`);
    expect(tfjs.status).toBe(400);
    expect(await tfjs.json()).toMatchObject({ ok: false, error: { message: expect.stringContaining(`digit-workbench model export --run ${runs.dnn} --out DIR`) } });
    const missing = await post('run=999&format=onnx');
    expect(await missing.json()).toMatchObject({ ok: false, error: { message: 'no run with id 999' } });
  });
});
