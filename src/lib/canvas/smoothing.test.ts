import { describe, expect, it } from 'vitest';
import { catmullRomSegments, pointOnSegment, sampleCatmullRom, type XY } from './smoothing';

const zigzag: XY[] = [
  { x: 10, y: 10 },
  { x: 40, y: 80 },
  { x: 90, y: 20 },
  { x: 130, y: 150 },
  { x: 200, y: 60 }
];

describe('Catmull-Rom smoothing', () => {
  it('passes through every control point', () => {
    const segments = catmullRomSegments(zigzag);
    expect(segments).toHaveLength(zigzag.length - 1);
    segments.forEach((segment, i) => {
      expect(pointOnSegment(segment, 0)).toEqual(zigzag[i]);
      const end = pointOnSegment(segment, 1);
      expect(end.x).toBeCloseTo(zigzag[i + 1].x, 10);
      expect(end.y).toBeCloseTo(zigzag[i + 1].y, 10);
    });
  });

  it('every control point appears in the sampled curve', () => {
    const samples = sampleCatmullRom(zigzag, 8);
    for (const p of zigzag) {
      expect(samples.some((s) => Math.hypot(s.x - p.x, s.y - p.y) < 1e-9)).toBe(true);
    }
  });

  it('is smooth: the direction is continuous where segments meet', () => {
    const segments = catmullRomSegments(zigzag);
    for (let i = 0; i < segments.length - 1; i++) {
      const inDir = { x: segments[i].to.x - segments[i].cp2.x, y: segments[i].to.y - segments[i].cp2.y };
      const outDir = { x: segments[i + 1].cp1.x - segments[i + 1].from.x, y: segments[i + 1].cp1.y - segments[i + 1].from.y };
      // Same tangent on both sides of the joint (uniform Catmull-Rom is C1).
      expect(inDir.x).toBeCloseTo(outDir.x, 10);
      expect(inDir.y).toBeCloseTo(outDir.y, 10);
    }
  });

  it('keeps points on a straight line on that line', () => {
    const line = [0, 1, 2, 3, 4].map((i) => ({ x: i * 10, y: i * 5 }));
    for (const s of sampleCatmullRom(line, 10)) expect(s.y).toBeCloseTo(s.x / 2, 10);
  });

  it('stays near the polyline instead of overshooting wildly', () => {
    const samples = sampleCatmullRom(zigzag, 16);
    const xs = zigzag.map((p) => p.x);
    const ys = zigzag.map((p) => p.y);
    const slack = 20;
    for (const s of samples) {
      expect(s.x).toBeGreaterThanOrEqual(Math.min(...xs) - slack);
      expect(s.x).toBeLessThanOrEqual(Math.max(...xs) + slack);
      expect(s.y).toBeGreaterThanOrEqual(Math.min(...ys) - slack);
      expect(s.y).toBeLessThanOrEqual(Math.max(...ys) + slack);
    }
  });

  it('handles two points (a straight segment) and fewer', () => {
    const [segment] = catmullRomSegments([{ x: 0, y: 0 }, { x: 30, y: 0 }]);
    const mid = pointOnSegment(segment, 0.5);
    expect(mid.x).toBeCloseTo(15, 10);
    expect(mid.y).toBe(0);
    expect(catmullRomSegments([{ x: 1, y: 1 }])).toEqual([]);
    expect(sampleCatmullRom([], 4)).toEqual([]);
  });
});
