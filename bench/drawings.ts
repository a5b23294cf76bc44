import { drawingBytes, remainingBudget } from '../src/lib/canvas/budget.ts';
import { normalizePressure, StrokeBuilder } from '../src/lib/canvas/capture.ts';
import {
  BRUSH_SIZES,
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  DRAWING_LIMITS,
  drawingSchema,
  PALETTE,
  type Drawing,
  type Operation
} from '../src/lib/protocol/index.ts';

// Typical drawings as the editor makes them: pointer samples along a hand-like path, fed through
// the editor's own StrokeBuilder (clamping, rounding to a tenth of a pixel, thinning at 2 px,
// the drawing's budget) and its pen-pressure rule. Seeded, so every run measures the same drawings.

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

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function stroke(next: () => number, lengthPx: [number, number], pointerType: 'mouse' | 'pen', done: Operation[]): Operation | null {
  const builder = new StrokeBuilder({
    color: PALETTE[Math.floor(next() * PALETTE.length)],
    size: BRUSH_SIZES[Math.floor(next() * BRUSH_SIZES.length)],
    eraser: false,
    budget: remainingBudget(done)
  });
  const length = lengthPx[0] + next() * (lengthPx[1] - lengthPx[0]);
  let x = 20 + next() * (CANVAS_WIDTH - 40);
  let y = 20 + next() * (CANVAS_HEIGHT - 40);
  let heading = next() * Math.PI * 2;
  let turn = 0;
  let pressure = 0.5;
  // One sample per pointer event: a hand moves 0.5 to 6 px between two events at 60-120 Hz, and
  // the browser reports fractional CSS pixels.
  for (let travelled = 0, events = 0; travelled < length && events < 5000; events++) {
    if (builder.add(x, y, normalizePressure(pointerType, pressure)) === 'full') break;
    const speed = 0.5 + next() * 5.5;
    turn = clamp(turn + (next() - 0.5) * 0.08, -0.15, 0.15);
    heading += turn;
    x = clamp(x + Math.cos(heading) * speed, 2, CANVAS_WIDTH - 2);
    y = clamp(y + Math.sin(heading) * speed, 2, CANVAS_HEIGHT - 2);
    // A pen reports pressure as 8-bit steps.
    pressure = clamp(pressure + (next() - 0.5) * 0.1, 0.1, 1);
    pressure = Math.round(pressure * 255) / 255;
    travelled += speed;
  }
  return builder.toOperation();
}

export interface SampleDrawing {
  name: string;
  description: string;
  drawing: Drawing;
  strokes: number;
  points: number;
}

function sample(name: string, description: string, seed: number, strokes: number, lengthPx: [number, number], pointerType: 'mouse' | 'pen'): SampleDrawing {
  const next = random(seed);
  const operations: Operation[] = [];
  for (let i = 0; i < strokes; i++) {
    const op = stroke(next, lengthPx, pointerType, operations);
    if (op) operations.push(op);
  }
  // The same check the server makes: a drawing the contract refuses measures nothing.
  const drawing = drawingSchema.parse({ operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
  return {
    name,
    description,
    drawing,
    strokes: operations.length,
    points: operations.reduce((n, op) => n + (op.type === 'stroke' ? op.points.length : 0), 0)
  };
}

export function sampleDrawings(): SampleDrawing[] {
  return [
    sample('doodle', '10 mouse strokes of 60-300 px', 1, 10, [60, 300], 'mouse'),
    sample('sketch', '200 pen strokes of 20-160 px with pressure', 2, 200, [20, 160], 'pen')
  ];
}

/**
 * A drawing of about `targetBytes` of JSON (long pen strokes, as a patient artist would make), within
 * the contract's budgets: the strokes go through the same StrokeBuilder, which stops at the limits.
 */
export function largeDrawing(seed: number, targetBytes: number): SampleDrawing {
  const next = random(seed);
  const operations: Operation[] = [];
  while (drawingBytes(operations) < targetBytes && operations.length < DRAWING_LIMITS.maxOperations) {
    const op = stroke(next, [400, 1600], 'pen', operations);
    if (!op || op.type !== 'stroke' || op.points.length < 2) break;
    operations.push(op);
  }
  const drawing = drawingSchema.parse({ operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
  return {
    name: `large-${seed}`,
    description: `pen strokes up to ${targetBytes} bytes`,
    drawing,
    strokes: operations.length,
    points: operations.reduce((n, op) => n + (op.type === 'stroke' ? op.points.length : 0), 0)
  };
}
