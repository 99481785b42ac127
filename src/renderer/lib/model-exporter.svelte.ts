// Exporting a run's model: in the desktop app a native save dialog (a folder name for tfjs, a .onnx file for
// ONNX), then 'runs:export-model', asking before replacing; in a browser the serve-mode download of the ONNX file
// (a tfjs model is a folder, which one download cannot carry: the page shows the CLI command instead).

import { modelExportName, type ModelExportResult, type ModelFormat } from '../../shared/model-export.js';
import { api } from './api.js';
import { postDownload } from './download.js';
import { SaveOrDownload } from './save-or-download.svelte.js';

export interface ModelExportChoice {
  runId: number;
  weights: 'best' | 'last';
  format: ModelFormat;
}

/** What the page shows after an export: where it went (a server path, or the downloaded file's name). */
export interface ModelExportDone extends ModelExportResult {
  downloaded: boolean;
}

/** Whether this transport can export `format` here (a browser downloads one file: ONNX). */
export function canExport(format: ModelFormat): boolean {
  return api.kind === 'desktop' || format === 'onnx';
}

/** The command that writes `choice` on the machine that runs serve mode. */
export function exportCommand(choice: ModelExportChoice): string {
  const out = modelExportName(choice.runId, choice.weights, choice.format);
  const format = choice.format === 'onnx' ? ' --format onnx' : '';
  return `digit-workbench model export --run ${choice.runId} --out ${out}${format}${choice.weights === 'last' ? ' --weights last' : ''}`;
}

export class ModelExporter extends SaveOrDownload<ModelExportChoice, ModelExportDone> {
  protected saveAs(choice: ModelExportChoice) {
    return { purpose: choice.format === 'onnx' ? ('onnx' as const) : ('model' as const), name: modelExportName(choice.runId, choice.weights, choice.format) };
  }

  protected async write(choice: ModelExportChoice, out: string, force: boolean): Promise<ModelExportDone> {
    const result = await api.call('runs:export-model', { id: choice.runId, out, weights: choice.weights, format: choice.format, force });
    return { ...result, downloaded: false };
  }

  protected async download(choice: ModelExportChoice): Promise<ModelExportDone> {
    if (!canExport(choice.format)) throw new Error(`a tfjs model is a folder, which a browser cannot download: on the server's machine run ${exportCommand(choice)}`);
    const q = new URLSearchParams({ run: String(choice.runId), weights: choice.weights, format: choice.format });
    const { headers, file } = await postDownload('/download/model', q, modelExportName(choice.runId, choice.weights, choice.format));
    return { format: choice.format, path: file, files: [file], epoch: Number(headers.get('X-Model-Epoch')), downloaded: true };
  }
}
