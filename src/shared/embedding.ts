// The embedding map: a run's validation digits placed in 2-D by UMAP of its penultimate layer's activations.

import type { DigitItem } from './analysis.js';

/** UMAP's neighbourhood size when none is given (umap-js and umap-learn's default). */
export const DEFAULT_NEIGHBORS = 15;
export const DEFAULT_EMBEDDING_SEED = 1;

export type EmbeddingStage = 'activations' | 'neighbours' | 'layout';

/** A validation digit with its place on the map (`idx` is its 0-based dataset row, as everywhere in analysis). */
export interface EmbeddedDigit extends DigitItem {
  x: number;
  y: number;
}

export interface EmbeddingMap {
  runId: number;
  /** The epoch of the best weights it was computed from. */
  epoch: number;
  neighbors: number;
  seed: number;
  /** Width of the penultimate layer (LeNet-5: 84). */
  width: number;
  backend: string;
  computedAt: string;
  points: EmbeddedDigit[];
}

/**
 * How well the map separates the classes: the mean distance between points of the same label over the mean
 * distance between points of different labels (1 ≈ no structure; lower separates better). O(n²): 4,200 Kaggle
 * validation digits are 8.8 M pairs, well under a second.
 */
export function separationRatio(points: readonly { x: number; y: number; label: number }[]): number {
  let same = 0;
  let sameN = 0;
  let other = 0;
  let otherN = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i];
    for (let j = i + 1; j < points.length; j++) {
      const b = points[j];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      if (a.label === b.label) {
        same += d;
        sameN++;
      } else {
        other += d;
        otherN++;
      }
    }
  }
  return sameN && otherN && other > 0 ? same / sameN / (other / otherN) : NaN;
}
