import { thinPoints } from '../src/lib/canvas/thinning.ts';
import {
  BRUSH_SIZES,
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  drawingSchema,
  PALETTE,
  type Drawing,
  type Point,
  type StrokeOp
} from '../src/lib/protocol/index.ts';

// Typical drawings as the editor makes them: strokes of pointer samples taken at display rate
// along a hand-like path, thinned at 2 px by the editor's own thinning. Seeded, so every run
// measures the same drawings.

/** mulberry32: a small seeded generator; Math.random would make each run's drawings differ. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pointer events report fractional CSS pixels; scaled to the 600 x 200 canvas they keep a decimal.
const coordinate = (v: number) => Math.round(v * 10) / 10;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function stroke(next: () => number, lengthPx: [number, number], pen: boolean): StrokeOp {
  const length = lengthPx[0] + next() * (lengthPx[1] - lengthPx[0]);
  let x = 20 + next() * (CANVAS_WIDTH - 40);
  let y = 20 + next() * (CANVAS_HEIGHT - 40);
  let heading = next() * Math.PI * 2;
  let turn = 0;
  let pressure = 0.5;
  const samples: Point[] = [];
  let travelled = 0;
  // One sample per pointer event: a hand moves 0.5 to 6 px between two events at 60-120 Hz.
  while (travelled < length && samples.length < 5000) {
    samples.push({ x: coordinate(x), y: coordinate(y), pressure: Math.round(pressure * 1000) / 1000 });
    const speed = 0.5 + next() * 5.5;
    turn = clamp(turn + (next() - 0.5) * 0.08, -0.15, 0.15);
    heading += turn;
    x = clamp(x + Math.cos(heading) * speed, 2, CANVAS_WIDTH - 2);
    y = clamp(y + Math.sin(heading) * speed, 2, CANVAS_HEIGHT - 2);
    if (pen) pressure = clamp(pressure + (next() - 0.5) * 0.1, 0.1, 1);
    travelled += speed;
  }
  const points = thinPoints(samples);
  if (points.length < 2) points.push({ ...points[0], x: coordinate(points[0].x + 3) });
  return {
    type: 'stroke',
    points,
    color: PALETTE[Math.floor(next() * PALETTE.length)],
    size: BRUSH_SIZES[Math.floor(next() * BRUSH_SIZES.length)],
    eraser: false
  };
}

export interface SampleDrawing {
  name: string;
  description: string;
  drawing: Drawing;
  strokes: number;
  points: number;
}

function sample(name: string, description: string, seed: number, strokes: number, lengthPx: [number, number], pen: boolean): SampleDrawing {
  const next = random(seed);
  const operations = Array.from({ length: strokes }, () => stroke(next, lengthPx, pen));
  // The same check the server makes: a drawing the contract refuses measures nothing.
  const drawing = drawingSchema.parse({ operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
  return {
    name,
    description,
    drawing,
    strokes,
    points: operations.reduce((n, op) => n + op.points.length, 0)
  };
}

export function sampleDrawings(): SampleDrawing[] {
  return [
    sample('doodle', '10 mouse strokes of 60-300 px', 1, 10, [60, 300], false),
    sample('sketch', '200 pen strokes of 20-160 px with pressure', 2, 200, [20, 160], true)
  ];
}
