// Model exports as the contract, the CLI and the UI see them: a tfjs layers folder, or one ONNX file.

export const MODEL_FORMATS = ['tfjs', 'onnx'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export interface ModelExportResult {
  format: ModelFormat;
  /** The folder (tfjs) or the file (onnx) written (only its name over serve mode). */
  path: string;
  /** The files written, relative to the folder (tfjs) or the file's own name (onnx). */
  files: string[];
  /** The checkpoint's epoch. */
  epoch: number;
}

/** The name a save dialog or a download suggests: a folder for tfjs, a .onnx file for ONNX. */
export function modelExportName(runId: number, weights: 'best' | 'last', format: ModelFormat): string {
  const base = `digit-workbench-run${runId}-${weights}`;
  return format === 'onnx' ? `${base}.onnx` : base;
}
