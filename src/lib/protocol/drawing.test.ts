import { describe, expect, it } from 'vitest';
import {
  BRUSH_SIZES,
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  DRAWING_LIMITS,
  FONT_SIZES,
  PALETTE,
  STAMP_IDS,
  drawingSchema,
  operationSchema,
  packedOperationSchema,
  packOperation,
  serializedBytes,
  unpackDrawing,
  type Drawing,
  type Operation,
  type PackedOperation
} from './drawing';
import { packPoints } from './points';

const drawing = (operations: unknown[], extra: Record<string, unknown> = {}) => ({
  operations,
  width: CANVAS_WIDTH,
  height: CANVAS_HEIGHT,
  ...extra
});

const points = (n: number, x = 10) => Array.from({ length: n }, (_, i) => ({ x, y: i % CANVAS_HEIGHT, pressure: 0.5 }));
/** A packed stroke of n points, as the editor sends it. */
const stroke = (n: number, x = 10): PackedOperation => ({ type: 'stroke', points: packPoints(points(n, x)), color: '#000000', size: 4, eraser: false });
const packedPoints = (...list: { x: number; y: number; pressure: number }[]) => packPoints(list);

const unpacked: Operation[] = [
  { type: 'stroke', points: points(3), color: '#000000', size: 4, eraser: false },
  { type: 'stroke', points: [{ x: -100, y: -100, pressure: 0 }, { x: 700, y: 300, pressure: 1 }], color: '#FFFFFF', size: 22, eraser: true },
  { type: 'shape', shape: 'line', x1: 0, y1: 0, x2: 600, y2: 200, color: '#FF0000', size: 2 },
  { type: 'shape', shape: 'rect', x1: 10.5, y1: 20.25, x2: 100, y2: 80, color: '#0080FF', size: 8 },
  { type: 'shape', shape: 'ellipse', x1: 200, y1: 50, x2: 300, y2: 150, color: '#FF8000', size: 14 },
  { type: 'fill', x: 0, y: 199, color: '#FFFF00' },
  { type: 'fill', x: 599, y: 0, color: '#808040' },
  { type: 'text', x: 50, y: 60, content: 'Hello, bee! 🐝 éè', color: '#000080', fontSize: 24 },
  { type: 'stamp', x: 300, y: 100, stampId: 'bee', size: 22, color: '#804000' },
  { type: 'clear' }
];
const oneOfEach: PackedOperation[] = unpacked.map(packOperation);

const rejects = (value: unknown) => expect(drawingSchema.safeParse(value).success).toBe(false);
const accepts = (value: unknown) => {
  const result = drawingSchema.safeParse(value);
  expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true);
};
/** The same drawing with one field of one operation replaced. */
const withField = (op: PackedOperation, field: string, value: unknown) => drawing([{ ...op, [field]: value }]);

describe('drawingSchema accepts', () => {
  it('an empty drawing and one of every operation type', () => {
    accepts(drawing([]));
    accepts(drawing(oneOfEach));
    for (const op of oneOfEach) expect(packedOperationSchema.safeParse(op).success).toBe(true);
    for (const op of unpacked) expect(operationSchema.safeParse(op).success).toBe(true);
  });

  it('packed strokes that unpack to the very points drawn', () => {
    expect(unpackDrawing(drawingSchema.parse(drawing(oneOfEach))).operations).toEqual(unpacked);
  });

  it('every palette colour, brush size, font size and stamp', () => {
    accepts(drawing(PALETTE.map((color) => ({ type: 'fill', x: 1, y: 1, color }))));
    accepts(drawing(BRUSH_SIZES.map((size) => ({ ...stroke(2), size }))));
    accepts(drawing(FONT_SIZES.map((fontSize) => ({ type: 'text', x: 1, y: 1, content: 'a', color: '#000000', fontSize }))));
    accepts(drawing(STAMP_IDS.map((stampId) => ({ type: 'stamp', x: 1, y: 1, stampId, size: 8, color: '#000000' }))));
  });

  it('exactly the maximum number of operations and the longest text', () => {
    accepts(drawing(Array.from({ length: DRAWING_LIMITS.maxOperations }, () => ({ type: 'clear' }))));
    accepts(drawing([{ type: 'text', x: 0, y: 0, content: 'x'.repeat(DRAWING_LIMITS.maxTextChars), color: '#000000', fontSize: 12 }]));
  });
});

describe('drawingSchema rejects', () => {
  it('a drawing of the wrong size or shape', () => {
    rejects({ ...drawing([]), width: 601 });
    rejects({ ...drawing([]), height: 199 });
    rejects({ ...drawing([]), width: '600' });
    rejects({ operations: [], width: CANVAS_WIDTH });
    rejects({ width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
    rejects(drawing({} as unknown as unknown[]));
    rejects(null);
    rejects('a picture');
  });

  it('unknown operation types and missing fields', () => {
    rejects(drawing([{ type: 'spray', x: 1, y: 1, color: '#000000' }]));
    rejects(drawing([{ x: 1, y: 1, color: '#000000' }]));
    rejects(drawing([{ type: 'fill', x: 1, color: '#000000' }]));
    rejects(drawing([{ type: 'shape', shape: 'triangle', x1: 0, y1: 0, x2: 1, y2: 1, color: '#000000', size: 2 }]));
    rejects(drawing([null]));
  });

  it('NaN, Infinity and numbers as strings', () => {
    const shape = oneOfEach[2];
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '10', null]) {
      rejects(withField(shape, 'x1', bad));
      rejects(withField(oneOfEach[8], 'y', bad));
      rejects(withField(stroke(2), 'points', bad));
    }
  });

  it('coordinates far off the canvas, pressure out of range, fills off the canvas or between pixels', () => {
    const m = DRAWING_LIMITS.coordinateMargin;
    rejects(withField(oneOfEach[2], 'x2', CANVAS_WIDTH + m + 1));
    rejects(withField(oneOfEach[2], 'y1', -m - 1));
    rejects(withField(stroke(2), 'points', packedPoints({ x: 1, y: 1, pressure: 1.5 }, { x: 2, y: 1, pressure: 0.5 })));
    rejects(withField(stroke(2), 'points', packedPoints({ x: 1, y: 1, pressure: 0.5 }, { x: 2, y: 1, pressure: -0.1 })));
    rejects(withField(stroke(2), 'points', packedPoints({ x: 1, y: 1, pressure: 0.5 }, { x: CANVAS_WIDTH + m + 0.1, y: 1, pressure: 0.5 })));
    rejects(withField(stroke(2), 'points', packedPoints({ x: 1, y: -m - 0.1, pressure: 0.5 }, { x: 2, y: 1, pressure: 0.5 })));
    rejects(withField(oneOfEach[5], 'x', CANVAS_WIDTH));
    rejects(withField(oneOfEach[5], 'y', -1));
    rejects(withField(oneOfEach[5], 'x', 10.5));
  });

  it('colours outside the palette', () => {
    for (const color of ['#123456', '#ff0000', 'red', '#F00', '', 0]) {
      for (const op of oneOfEach.filter((o) => 'color' in o)) rejects(withField(op, 'color', color));
    }
  });

  it('unknown stamps and sizes outside the tool sets', () => {
    rejects(withField(oneOfEach[8], 'stampId', 'unicorn'));
    rejects(withField(oneOfEach[8], 'stampId', '__proto__'));
    rejects(withField(oneOfEach[8], 'size', 3));
    rejects(withField(stroke(2), 'size', 0));
    rejects(withField(stroke(2), 'size', 1000));
    rejects(withField(oneOfEach[2], 'size', 4.5));
    rejects(withField(oneOfEach[7], 'fontSize', 13));
    rejects(withField(oneOfEach[7], 'fontSize', 400));
  });

  it('strokes with fewer than two points and bad text', () => {
    rejects(drawing([stroke(1)]));
    rejects(drawing([stroke(0)]));
    rejects(withField(stroke(2), 'eraser', 'yes'));
    const text = oneOfEach[7];
    rejects(withField(text, 'content', ''));
    rejects(withField(text, 'content', 'x'.repeat(DRAWING_LIMITS.maxTextChars + 1)));
    rejects(withField(text, 'content', 'two\nlines'));
    rejects(withField(text, 'content', 'nul\u0000'));
    rejects(withField(text, 'content', 42));
  });

  it('too many operations', () => {
    rejects(drawing(Array.from({ length: DRAWING_LIMITS.maxOperations + 1 }, () => ({ type: 'clear' }))));
  });

  it('points spelled out, the form before packing', () => {
    rejects(withField(stroke(2), 'points', points(2)));
    rejects(drawing(unpacked));
  });

  it('too many points in all, even when every stroke is fine on its own', () => {
    const perStroke = 2000;
    const strokes = Array.from({ length: DRAWING_LIMITS.maxPointsTotal / perStroke }, () => stroke(perStroke));
    strokes.push(stroke(2));
    const result = drawingSchema.safeParse(drawing(strokes));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(`A drawing may hold at most ${DRAWING_LIMITS.maxPointsTotal} points`);
  });

  it('drawings larger than the payload limit, counted in UTF-8 bytes', () => {
    const text = (content: string): PackedOperation => ({ type: 'text', x: 1, y: 1, content, color: '#000000', fontSize: 12 });
    // Within every count limit, but the JSON is too big.
    const ascii = drawing(Array.from({ length: DRAWING_LIMITS.maxOperations }, () => text('x'.repeat(DRAWING_LIMITS.maxTextChars))));
    expect(serializedBytes(ascii)).toBeGreaterThan(DRAWING_LIMITS.maxSerializedBytes);
    rejects(ascii);

    // Few enough UTF-16 characters, but three bytes each once encoded.
    const euros = drawing(Array.from({ length: 600 }, () => text('€'.repeat(DRAWING_LIMITS.maxTextChars))));
    expect(JSON.stringify(euros).length).toBeLessThan(DRAWING_LIMITS.maxSerializedBytes);
    expect(serializedBytes(euros)).toBeGreaterThan(DRAWING_LIMITS.maxSerializedBytes);
    rejects(euros);
  });

  it('extra keys anywhere', () => {
    rejects(drawing([], { background: '#000000' }));
    rejects(drawing([{ type: 'clear', everything: true }]));
    rejects(withField(oneOfEach[5], 'tolerance', 10));
    rejects(withField(oneOfEach[8], 'rotation', 45));
    rejects(drawing([{ ...stroke(2), pressures: '' }]));
  });

  it('the parsed result is a Drawing the renderer can trust', () => {
    const parsed = drawingSchema.parse(drawing(oneOfEach)) satisfies Drawing;
    expect(parsed.operations).toHaveLength(oneOfEach.length);
  });
});
