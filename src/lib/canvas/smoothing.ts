// Stroke smoothing: a uniform Catmull-Rom spline through every captured point, expressed as cubic
// Bezier segments so the canvas can draw it exactly (bezierCurveTo) without sampling.

export interface XY {
  x: number;
  y: number;
}

export interface BezierSegment {
  from: XY;
  cp1: XY;
  cp2: XY;
  to: XY;
}

/**
 * One Bezier segment per pair of neighbouring points. Each segment starts and ends exactly on a
 * captured point; the ends of the stroke use the end point itself as the missing neighbour.
 */
export function catmullRomSegments(points: readonly XY[]): BezierSegment[] {
  const segments: BezierSegment[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[i - 1] ?? points[i];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[i + 2] ?? p2;
    segments.push({
      from: { x: p1.x, y: p1.y },
      cp1: { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 },
      cp2: { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 },
      to: { x: p2.x, y: p2.y }
    });
  }
  return segments;
}

/** The point at t (0..1) along a cubic Bezier segment. */
export function pointOnSegment(segment: BezierSegment, t: number): XY {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return {
    x: a * segment.from.x + b * segment.cp1.x + c * segment.cp2.x + d * segment.to.x,
    y: a * segment.from.y + b * segment.cp1.y + c * segment.cp2.y + d * segment.to.y
  };
}

/** The smoothed curve as a polyline, `steps` samples per segment (for tests and measuring). */
export function sampleCatmullRom(points: readonly XY[], steps: number): XY[] {
  if (points.length < 2) return points.map((p) => ({ x: p.x, y: p.y }));
  const out: XY[] = [];
  for (const segment of catmullRomSegments(points)) {
    for (let s = 0; s < steps; s++) out.push(pointOnSegment(segment, s / steps));
  }
  const last = points[points.length - 1];
  out.push({ x: last.x, y: last.y });
  return out;
}
