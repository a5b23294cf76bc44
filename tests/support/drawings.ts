import { remainingBudget } from '../../src/lib/canvas/budget.ts';
import { clampX, clampY, insideX, insideY, normalizePressure, StrokeBuilder } from '../../src/lib/canvas/capture.ts';
import { BRUSH_SIZES, CANVAS_HEIGHT, CANVAS_WIDTH, PALETTE, type Operation } from '../../src/lib/protocol/index.ts';

// Drawings as the editor makes them, shared by the tests and the bench: pointer samples along a
// hand-like path fed through the editor's own StrokeBuilder (clamping, rounding, thinning at 2 px,
// the drawing's budget) and its pen-pressure rule. Seeded, so every run draws the same pictures.
// Their operations are also exactly what was stored before strokes were packed.

/** mulberry32: a small seeded generator; Math.random would make each run's drawings differ. */
export function random(seed: number): () => number {
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

export type PointerKind = 'mouse' | 'pen';

/** One stroke of a hand moving about, within what the drawing `done` leaves room for. */
export function handStroke(next: () => number, lengthPx: [number, number], pointerType: PointerKind, done: Operation[], eraser = false): Operation | null {
  const builder = new StrokeBuilder({
    color: PALETTE[Math.floor(next() * PALETTE.length)],
    size: BRUSH_SIZES[Math.floor(next() * BRUSH_SIZES.length)],
    eraser,
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

/** `strokes` hand-drawn strokes (fewer when the drawing fills up). */
export function handDrawn(seed: number, strokes: number, lengthPx: [number, number], pointerType: PointerKind): Operation[] {
  const next = random(seed);
  const operations: Operation[] = [];
  for (let i = 0; i < strokes; i++) {
    const op = handStroke(next, lengthPx, pointerType, operations);
    if (op) operations.push(op);
  }
  return operations;
}

/** Every kind of operation the editor makes, strokes at the edges, a tap, an eraser and a clear. */
function everyTool(): Operation[] {
  const next = random(7);
  const operations: Operation[] = [];
  const add = (op: Operation | null) => op && operations.push(op);
  add({ type: 'fill', x: 5, y: 5, color: '#FFFF80' });
  add(handStroke(next, [200, 400], 'mouse', operations));
  add({ type: 'clear' });
  for (let i = 0; i < 4; i++) add(handStroke(next, [100, 300], i % 2 === 0 ? 'pen' : 'mouse', operations));
  // A stroke leaving the canvas at both corners, and a tap (a dot).
  const edge = new StrokeBuilder({ color: '#800080', size: 22, eraser: false, budget: remainingBudget(operations) });
  for (const [x, y] of [[-400, -300], [-20, 30], [300, 120], [640, 230], [900, 900]]) edge.add(x, y, normalizePressure('pen', 0.8));
  add(edge.toOperation());
  const tap = new StrokeBuilder({ color: '#FF0000', size: 14, eraser: false, budget: remainingBudget(operations) });
  tap.add(450.27, 33.33, 0.5);
  add(tap.toOperation());
  add({ type: 'shape', shape: 'rect', x1: clampX(40.3), y1: clampY(30.7), x2: clampX(180.25), y2: clampY(150.5), color: '#0000FF', size: 8 });
  add({ type: 'fill', x: insideX(100.5), y: insideY(90.5), color: '#00FF80' });
  add({ type: 'shape', shape: 'ellipse', x1: 220, y1: 20, x2: 380.5, y2: 180, color: '#FF8000', size: 4 });
  add({ type: 'shape', shape: 'line', x1: -100, y1: 300, x2: 700, y2: -100, color: '#008080', size: 2 });
  add(handStroke(next, [150, 250], 'mouse', operations, true));
  add({ type: 'text', x: 400, y: 150, content: 'Hi bee! 🐝 éè', color: '#000080', fontSize: 24 });
  add({ type: 'stamp', x: 520, y: 60, stampId: 'bee', size: 22, color: '#804000' });
  add({ type: 'stamp', x: 560.5, y: 160.3, stampId: 'star', size: 8, color: '#FF00FF' });
  return operations;
}

export interface FixtureDrawing {
  name: string;
  operations: Operation[];
}

/** The drawings the replay tests render from their old form and from their packed form. */
export function fixtureDrawings(): FixtureDrawing[] {
  return [
    { name: 'every tool', operations: everyTool() },
    { name: 'mouse doodle', operations: handDrawn(1, 10, [60, 300], 'mouse') },
    { name: 'pen sketch', operations: handDrawn(2, 200, [20, 160], 'pen') },
    { name: 'long pen strokes', operations: handDrawn(3, 12, [800, 1600], 'pen') }
  ];
}
