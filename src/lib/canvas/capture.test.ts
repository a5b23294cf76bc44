import { describe, expect, it } from 'vitest';
import {
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  DRAWING_LIMITS,
  drawingSchema,
  packDrawing,
  packOperation,
  serializedBytes,
  unpackDrawing,
  type Operation
} from '../protocol/drawing';
import { drawingBytes, FULL_NOTICE, fitsBudget, remainingBudget, visibleOperations } from './budget';
import { StrokeBuilder, clampX, clampY, insideX, insideY, normalizePressure } from './capture';

const m = DRAWING_LIMITS.coordinateMargin;
const fresh = () => remainingBudget([]);

// A deterministic pseudo-random walk, like a restless hand.
function* wander(seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  let x = 300;
  let y = 100;
  for (;;) {
    x = Math.abs((x + (rand() - 0.5) * 60) % 1200);
    y = Math.abs((y + (rand() - 0.5) * 40) % 400);
    // Now and then the pointer flies far off the canvas (pointer capture keeps reporting it).
    const away = rand() < 0.01;
    yield { x: away ? -5000 : x - 300, y: away ? 9000 : y - 100, pressure: rand() };
  }
}

describe('pointer positions become contract coordinates', () => {
  it('clamps to the allowed margin and rounds to a tenth of a pixel', () => {
    expect(clampX(123.456)).toBe(123.5);
    expect(clampX(-9999)).toBe(-m);
    expect(clampX(9999)).toBe(CANVAS_WIDTH + m);
    expect(clampY(-9999)).toBe(-m);
    expect(clampY(9999)).toBe(CANVAS_HEIGHT + m);
    expect(clampX(Number.NaN)).toBe(0);
    expect(Object.is(clampX(-0.01), -0)).toBe(false);
  });

  it('puts fills, stamps and text on a pixel of the canvas', () => {
    expect(insideX(-3)).toBe(0);
    expect(insideX(600)).toBe(CANVAS_WIDTH - 1);
    expect(insideX(12.9)).toBe(12);
    expect(insideY(250)).toBe(CANVAS_HEIGHT - 1);
    expect(insideY(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it('uses pressure from pens only', () => {
    expect(normalizePressure('mouse', 0.5)).toBe(0.5);
    expect(normalizePressure('touch', 1)).toBe(0.5);
    expect(normalizePressure('pen', 0.333)).toBe(0.33);
    expect(normalizePressure('pen', 0)).toBe(0.5);
    expect(normalizePressure('pen', 7)).toBe(1);
  });
});

describe('StrokeBuilder', () => {
  it('thins points and turns a tap into a dot', () => {
    const tap = new StrokeBuilder({ color: '#000000', size: 8, eraser: false, budget: fresh() });
    expect(tap.add(10, 10, 0.5)).toBe('added');
    expect(tap.add(11, 10.5, 0.5)).toBe('skipped');
    const dot = tap.toOperation();
    expect(dot?.points).toEqual([
      { x: 10, y: 10, pressure: 0.5 },
      { x: 10, y: 10, pressure: 0.5 }
    ]);
    expect(drawingSchema.safeParse(packDrawing([dot as Operation])).success).toBe(true);
  });

  it('stops adding points when the drawing has no room, and what it made still fits', () => {
    const budget = { operations: 1, points: 50, bytes: 100_000 };
    const builder = new StrokeBuilder({ color: '#FF0000', size: 4, eraser: false, budget });
    let results = '';
    for (let i = 0; i < 80; i++) results += builder.add(i * 3, 50, 0.5)[0];
    expect(builder.points).toHaveLength(50);
    expect(results.endsWith('f'.repeat(30))).toBe(true);
    expect(fitsBudget(builder.toOperation() as Operation, budget)).toBe(true);
  });

  it('counts packed bytes exactly: the finished stroke fits the byte budget it was given', () => {
    for (const pressure of [() => 0.37, (i: number) => (i % 50) / 49]) {
      const budget = { operations: 1, points: 100_000, bytes: 600 };
      const builder = new StrokeBuilder({ color: '#FF0000', size: 4, eraser: false, budget });
      let i = 0;
      while (builder.add(i * 3 - 90, ((i * 7) % 380) - 90, pressure(i)) !== 'full') i++;
      const op = builder.toOperation() as Operation;
      const bytes = serializedBytes(packOperation(op));
      expect(bytes).toBeLessThanOrEqual(600);
      // One point more would not have fitted: the stroke stopped at most one point's bytes short.
      expect(bytes).toBeGreaterThan(590);
    }
  });

  it('keeps points that pack and unpack to exactly the same numbers', () => {
    const builder = new StrokeBuilder({ color: '#FF0000', size: 4, eraser: false, budget: fresh() });
    const hand = wander(7);
    for (let i = 0; i < 300; i++) {
      const p = hand.next().value as { x: number; y: number; pressure: number };
      builder.add(p.x + 0.0123, p.y - 0.0456, p.pressure);
    }
    const op = builder.toOperation() as Operation;
    expect(unpackDrawing(packDrawing([op])).operations).toEqual([op]);
  });

  it('refuses to start when even a dot would not fit', () => {
    expect(new StrokeBuilder({ color: '#000000', size: 2, eraser: false, budget: { operations: 0, points: 10, bytes: 9999 } }).canStart).toBe(false);
    expect(new StrokeBuilder({ color: '#000000', size: 2, eraser: false, budget: { operations: 1, points: 1, bytes: 9999 } }).canStart).toBe(false);
    expect(new StrokeBuilder({ color: '#000000', size: 2, eraser: false, budget: { operations: 1, points: 10, bytes: 60 } }).canStart).toBe(false);
    expect(new StrokeBuilder({ color: '#000000', size: 2, eraser: false, budget: fresh() }).canStart).toBe(true);
  });
});

describe('a drawing built the way the editor builds it', () => {
  it('always passes the contract, however long the hand keeps drawing', () => {
    const operations: Operation[] = [];
    const hand = wander(42);
    let refused = 0;
    // Keep scribbling long strokes until the drawing is full and strokes are refused.
    while (refused < 3) {
      const budget = remainingBudget(visibleOperations(operations));
      const builder = new StrokeBuilder({ color: '#008000', size: 8, eraser: false, budget });
      if (!builder.canStart) {
        refused++;
        continue;
      }
      for (let i = 0; i < 700; i++) {
        const p = hand.next().value as { x: number; y: number; pressure: number };
        builder.add(p.x, p.y, normalizePressure('pen', p.pressure));
      }
      const op = builder.toOperation() as Operation;
      if (fitsBudget(op, budget)) operations.push(op);
      else refused++;
    }
    const result = drawingSchema.safeParse(packDrawing(operations));
    expect(result.success, result.success ? '' : JSON.stringify(result.error.issues.slice(0, 2))).toBe(true);
    // It really was full: out of points (packed strokes reach 20,000 points before 256 KB) or of bytes.
    const left = remainingBudget(operations);
    expect(left.points < 2 || left.bytes < 100, JSON.stringify(left)).toBe(true);
    expect(serializedBytes(packDrawing(operations))).toBe(drawingBytes(operations));
  });

  it('measures a drawing exactly as its packed JSON in UTF-8', () => {
    const ops: Operation[] = [
      { type: 'stroke', points: [{ x: -100, y: 300, pressure: 0 }, { x: 700, y: -100, pressure: 1 }, { x: 1.5, y: 2, pressure: 1 }], color: '#000000', size: 2, eraser: true },
      { type: 'text', x: 1.5, y: 2, content: 'Grüße 🐝 "quoted" \\ back', color: '#000000', fontSize: 16 },
      { type: 'stamp', x: 10, y: 20, stampId: 'bee', size: 8, color: '#FFFF00' },
      { type: 'clear' }
    ];
    for (let n = 0; n <= ops.length; n++) {
      expect(drawingBytes(ops.slice(0, n))).toBe(serializedBytes(packDrawing(ops.slice(0, n))));
    }
  });

  it('counts only what is after the last clear', () => {
    const fill: Operation = { type: 'fill', x: 1, y: 1, color: '#000000' };
    const ops: Operation[] = [fill, fill, { type: 'clear' }, fill];
    expect(visibleOperations(ops)).toEqual([fill]);
    expect(visibleOperations([fill, { type: 'clear' }])).toEqual([]);
    expect(remainingBudget(visibleOperations(ops)).operations).toBe(DRAWING_LIMITS.maxOperations - 1);
  });

  it('refuses the operation after the last one that fits', () => {
    const fill: Operation = { type: 'fill', x: 1, y: 1, color: '#000000' };
    const full = Array.from({ length: DRAWING_LIMITS.maxOperations }, () => fill);
    expect(drawingSchema.safeParse(packDrawing(full)).success).toBe(true);
    expect(fitsBudget(fill, remainingBudget(full))).toBe(false);
    expect(fitsBudget(fill, remainingBudget(full.slice(1)))).toBe(true);
    expect(FULL_NOTICE).toMatch(/full/);
  });
});
