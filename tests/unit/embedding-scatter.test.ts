// The embedding map's geometry: one scale for both axes, the point under the pointer, arrow-key moves.
import { describe, expect, it } from 'vitest';
import { fitPoints, nearestPoint, project, stepPoint } from '../../src/renderer/lib/scatter.js';

const pts = [
  { x: 0, y: 0 },
  { x: 10, y: 0 },
  { x: 10, y: 5 },
  { x: 5, y: 2 },
];

describe('embedding map geometry', () => {
  it('fits the points inside the box with one scale for both axes, y up, centred', () => {
    const fit = fitPoints(pts, 220, 220, 10);
    expect(fit.scale).toBe(20); // x spans 10 over 200 px; y would allow 40
    const s = project(pts, fit);
    expect([s[0], s[2]]).toEqual([10, 210]); // x fills the width
    expect(s[1]).toBeGreaterThan(s[5]); // y = 0 lies below y = 5
    expect((s[1] + s[5]) / 2).toBeCloseTo(110, 5); // centred vertically
    for (const v of s) expect(v >= 10 && v <= 210).toBe(true);
  });

  it('finds the nearest point within the radius, or none', () => {
    const s = project(pts, fitPoints(pts, 220, 220, 10));
    expect(nearestPoint(s, 12, 158, 8)).toBe(0);
    expect(nearestPoint(s, 208, 163, 8)).toBe(1);
    expect(nearestPoint(s, 60, 20, 8)).toBe(-1);
  });

  it('moves to the nearest point in the arrow’s direction, staying put at an edge', () => {
    const s = project(pts, fitPoints(pts, 220, 220, 10));
    expect(stepPoint(s, 0, 'right')).toBe(3); // (5, 2) is nearer than (10, 0), within the cone
    expect(stepPoint(s, 3, 'right')).toBe(1);
    expect(stepPoint(s, 1, 'up')).toBe(2);
    expect(stepPoint(s, 2, 'down')).toBe(1);
    expect(stepPoint(s, 0, 'left')).toBe(0);
    expect(stepPoint(s, 2, 'up')).toBe(2);
  });
});
