// The embedding map's geometry, kept apart from the canvas so it can be tested: fitting UMAP coordinates into a
// box with one scale for both axes (UMAP distances are the same in every direction), finding the point under the
// pointer, and the arrow keys' move to the nearest point in that direction.

export interface Fit {
  scale: number;
  /** Screen position of the data origin. */
  x0: number;
  y0: number;
}

export const CLASS_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f'] as const;

/** Fits the points into width × height less `pad` on each side, centred, y pointing up. */
export function fitPoints(points: readonly { x: number; y: number }[], width: number, height: number, pad: number): Fit {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (!Number.isFinite(minX)) return { scale: 1, x0: width / 2, y0: height / 2 };
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.max(0, Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY));
  return { scale, x0: width / 2 - ((minX + maxX) / 2) * scale, y0: height / 2 + ((minY + maxY) / 2) * scale };
}

/** Screen coordinates of every point, interleaved x, y. */
export function project(points: readonly { x: number; y: number }[], fit: Fit): Float32Array {
  const out = new Float32Array(points.length * 2);
  points.forEach((p, i) => {
    out[i * 2] = fit.x0 + p.x * fit.scale;
    out[i * 2 + 1] = fit.y0 - p.y * fit.scale;
  });
  return out;
}

/** The point nearest (x, y) within `radius` pixels, else -1. A linear scan: 4,200 points cost microseconds. */
export function nearestPoint(screen: Float32Array, x: number, y: number, radius: number): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < screen.length / 2; i++) {
    const dx = screen[i * 2] - x;
    const dy = screen[i * 2 + 1] - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) [best, bestD] = [i, d];
  }
  return best;
}

export type Direction = 'left' | 'right' | 'up' | 'down';
const AXES: Record<Direction, [number, number]> = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] };

/**
 * From point `from`, the nearest point lying in the direction's 90° cone (ties of distance broken by how far off
 * the axis it is), or `from` when there is none: the arrow keys walk the map as the eye sees it.
 */
export function stepPoint(screen: Float32Array, from: number, dir: Direction): number {
  const [ax, ay] = AXES[dir];
  const fx = screen[from * 2];
  const fy = screen[from * 2 + 1];
  let best = from;
  let bestCost = Infinity;
  for (let i = 0; i < screen.length / 2; i++) {
    if (i === from) continue;
    const dx = screen[i * 2] - fx;
    const dy = screen[i * 2 + 1] - fy;
    const along = dx * ax + dy * ay;
    const across = Math.abs(dx * ay - dy * ax);
    if (along <= 0 || across > along) continue;
    const cost = along + 2 * across;
    if (cost < bestCost) [best, bestCost] = [i, cost];
  }
  return best;
}
