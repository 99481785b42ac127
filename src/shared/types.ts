// Domain types shared by the core, the transports and the UI.

import type { DatasetVersionInfo } from './labels.js';
import type { BackendChoice } from './trainer-protocol.js';

export type DatasetKind = 'train' | 'test';

export interface DatasetInfo {
  id: number;
  name: string;
  kind: DatasetKind;
  rows: number;
  sha256: string;
  /** The imported file's path ("upload:NAME" for an upload; only the file's name over serve mode), "sample" for the
   * bundled digits, or "version of dataset N". */
  source: string;
  /** A test set whose answers the app knows (the bundled sample-test): exports can be scored. */
  hasAnswers: boolean;
  createdAt: string;
}

export interface DatasetDetail extends DatasetInfo {
  /** Images per class 0–9 (labelled sets, or test sets with known answers); null otherwise. */
  classCounts: number[] | null;
  /** Set when the dataset is a version of another (relabels, exclusions). */
  version?: DatasetVersionInfo | null;
}

export interface ImageRecord {
  idx: number;
  /** null for an unlabelled test image (answers are never sent for test sets). */
  label: number | null;
  /** 784 bytes, base64, row-major 28×28. */
  pixels: string;
}

export interface ImportResult {
  dataset: DatasetInfo;
  /** true when an identical file (same sha256) was imported before: the existing dataset is returned. */
  existing: boolean;
}

export interface AppInfo {
  version: string;
  /** The data folder; null for a remote client (serve mode's browser is never told server paths). */
  home: string | null;
  platform: string;
}

export type BackendSetting = 'auto' | BackendChoice;

export interface Settings {
  /** auto: native when it loads, else tfjs-node, else wasm, else cpu. */
  backend: BackendSetting;
  /** Runs trained at once (each in its own trainer process, each spreading over every core). */
  concurrency: number;
  /** The data folder; null for a remote client (serve mode's browser is never told server paths). */
  home: string | null;
}
