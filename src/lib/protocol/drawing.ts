import { z } from 'zod';
import { packedPointCount, packPoints, unpackPoints, type PointBounds } from './points';

// The drawing is data, not pixels: a list of operations replayed onto a 600 x 200 canvas. On the
// wire and in storage a stroke's points are packed into one string (points.ts,
// docs/architecture.md#drawings-are-packed); the editor and the renderer work on them unpacked.

export const CANVAS_WIDTH = 600;
export const CANVAS_HEIGHT = 200;

/** The MS Paint XP palette: the only colours a drawing may use. */
export const PALETTE = [
  '#000000', '#808080', '#800000', '#808000', '#008000', '#008080', '#000080', '#800080',
  '#808040', '#004040', '#0080FF', '#004080', '#4000FF', '#804000',
  '#FFFFFF', '#C0C0C0', '#FF0000', '#FFFF00', '#00FF00', '#00FFFF', '#0000FF', '#FF00FF',
  '#FFFF80', '#00FF80', '#80FFFF', '#8080FF', '#FF0080', '#FF8000'
] as const;
export type PaletteColor = (typeof PALETTE)[number];

export const BRUSH_SIZES = [2, 4, 8, 14, 22] as const;
export type BrushSize = (typeof BRUSH_SIZES)[number];
export const FONT_SIZES = [12, 16, 20, 24] as const;
export type FontSize = (typeof FONT_SIZES)[number];
export const SHAPES = ['line', 'rect', 'ellipse'] as const;
export type ShapeKind = (typeof SHAPES)[number];

/** Built-in vector stamps; their path data lives in src/lib/canvas/stamps.ts. */
export const STAMP_IDS = [
  'heart', 'star', 'smile', 'frown', 'sun', 'moon', 'cloud', 'flower',
  'tree', 'cat', 'dog', 'fish', 'bird', 'note', 'bolt', 'drop',
  'house', 'car', 'bee', 'crown', 'ghost', 'skull', 'check', 'cross'
] as const;
export type StampId = (typeof STAMP_IDS)[number];

export const DRAWING_LIMITS = {
  maxOperations: 1000,
  /** Points of all strokes together, once unpacked (what the renderer draws). */
  maxPointsTotal: 20_000,
  maxTextChars: 200,
  /** The drawing as sent and stored: UTF-8 bytes of its JSON, strokes packed. */
  maxSerializedBytes: 256 * 1024,
  /** Coordinates may stray this far outside the canvas (a stroke that leaves the edge). */
  coordinateMargin: 100
} as const;

const m = DRAWING_LIMITS.coordinateMargin;
const xCoord = z.number().finite().min(-m).max(CANVAS_WIDTH + m);
const yCoord = z.number().finite().min(-m).max(CANVAS_HEIGHT + m);
const color = z.enum(PALETTE);
const brushSize = z.literal(BRUSH_SIZES);
const fontSize = z.literal(FONT_SIZES);
// Text is one line typed at a cursor: control characters (newlines, tabs, NUL...) never come from the editor.
const CONTROL_CHARS = /[\u0000-\u001F\u007F]/;

export const pointSchema = z.strictObject({
  x: xCoord,
  y: yCoord,
  pressure: z.number().finite().min(0).max(1)
});

/** A stroke as drawn: every point spelled out (the editor's and the renderer's form). */
export const strokeOpSchema = z.strictObject({
  type: z.literal('stroke'),
  points: z.array(pointSchema).min(2).max(DRAWING_LIMITS.maxPointsTotal),
  color,
  size: brushSize,
  eraser: z.boolean()
});
export const shapeOpSchema = z.strictObject({
  type: z.literal('shape'),
  shape: z.enum(SHAPES),
  x1: xCoord,
  y1: yCoord,
  x2: xCoord,
  y2: yCoord,
  color,
  size: brushSize
});
export const fillOpSchema = z.strictObject({
  type: z.literal('fill'),
  x: z.number().int().min(0).max(CANVAS_WIDTH - 1),
  y: z.number().int().min(0).max(CANVAS_HEIGHT - 1),
  color
});
export const textOpSchema = z.strictObject({
  type: z.literal('text'),
  x: xCoord,
  y: yCoord,
  content: z
    .string()
    .min(1)
    .max(DRAWING_LIMITS.maxTextChars)
    .refine((text) => !CONTROL_CHARS.test(text), 'Text may not contain control characters'),
  color,
  fontSize
});
export const stampOpSchema = z.strictObject({
  type: z.literal('stamp'),
  x: xCoord,
  y: yCoord,
  stampId: z.enum(STAMP_IDS),
  size: brushSize,
  color
});
export const clearOpSchema = z.strictObject({ type: z.literal('clear') });

/** One operation as drawn, strokes unpacked: what the editor adds and the renderer replays. */
export const operationSchema = z.discriminatedUnion('type', [
  strokeOpSchema,
  shapeOpSchema,
  fillOpSchema,
  textOpSchema,
  stampOpSchema,
  clearOpSchema
]);

export const POINT_BOUNDS: PointBounds = {
  minX: -m,
  maxX: CANVAS_WIDTH + m,
  minY: -m,
  maxY: CANVAS_HEIGHT + m,
  maxPoints: DRAWING_LIMITS.maxPointsTotal
};

/** Packed points: checked by unpacking them, so nothing malformed or off the canvas gets through. */
const packedPointsSchema = z
  .string()
  .max(DRAWING_LIMITS.maxSerializedBytes)
  .superRefine((text, ctx) => {
    const result = unpackPoints(text, POINT_BOUNDS);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.problem });
  });

/** A stroke as sent and stored: its points packed (points.ts). */
export const packedStrokeOpSchema = z.strictObject({
  type: z.literal('stroke'),
  points: packedPointsSchema,
  color,
  size: brushSize,
  eraser: z.boolean()
});

/** One operation as sent and stored. */
export const packedOperationSchema = z.discriminatedUnion('type', [
  packedStrokeOpSchema,
  shapeOpSchema,
  fillOpSchema,
  textOpSchema,
  stampOpSchema,
  clearOpSchema
]);

export type Point = z.infer<typeof pointSchema>;
export type StrokeOp = z.infer<typeof strokeOpSchema>;
export type ShapeOp = z.infer<typeof shapeOpSchema>;
export type FillOp = z.infer<typeof fillOpSchema>;
export type TextOp = z.infer<typeof textOpSchema>;
export type StampOp = z.infer<typeof stampOpSchema>;
export type ClearOp = z.infer<typeof clearOpSchema>;
export type Operation = z.infer<typeof operationSchema>;
export type PackedStrokeOp = z.infer<typeof packedStrokeOpSchema>;
export type PackedOperation = z.infer<typeof packedOperationSchema>;

const utf8 = new TextEncoder();

/** Size of a value as JSON in UTF-8 bytes: what the payload limit measures (not UTF-16 length). */
export function serializedBytes(value: unknown): number {
  return utf8.encode(JSON.stringify(value)).length;
}

/** The drawing as sent and stored (strokes packed): the contract every client and the server check. */
export const drawingSchema = z
  .strictObject({
    operations: z.array(packedOperationSchema).max(DRAWING_LIMITS.maxOperations),
    width: z.literal(CANVAS_WIDTH),
    height: z.literal(CANVAS_HEIGHT)
  })
  .superRefine((drawing, ctx) => {
    let points = 0;
    for (const op of drawing.operations) if (op.type === 'stroke') points += packedPointCount(op.points);
    if (points > DRAWING_LIMITS.maxPointsTotal) {
      ctx.addIssue({ code: 'custom', message: `A drawing may hold at most ${DRAWING_LIMITS.maxPointsTotal} points` });
    }
    if (serializedBytes(drawing) > DRAWING_LIMITS.maxSerializedBytes) {
      ctx.addIssue({ code: 'custom', message: 'Drawing is too large' });
    }
  });

export type Drawing = z.infer<typeof drawingSchema>;

/** A drawing with its strokes unpacked: what the renderer replays and the editor holds. */
export interface UnpackedDrawing {
  operations: Operation[];
  width: typeof CANVAS_WIDTH;
  height: typeof CANVAS_HEIGHT;
}

/** The operation as sent: a stroke's points packed, anything else copied as it is. */
export function packOperation(op: Operation): PackedOperation {
  if (op.type !== 'stroke') return { ...op };
  return { type: 'stroke', points: packPoints(op.points), color: op.color, size: op.size, eraser: op.eraser };
}

export function packDrawing(operations: readonly Operation[]): Drawing {
  return { operations: operations.map(packOperation), width: CANVAS_WIDTH, height: CANVAS_HEIGHT };
}

/** The operation as drawn. Throws on points `drawingSchema` would have refused. */
export function unpackOperation(op: PackedOperation): Operation {
  if (op.type !== 'stroke') return op;
  const result = unpackPoints(op.points, POINT_BOUNDS);
  if (!result.ok) throw new Error(result.problem);
  return { type: 'stroke', points: result.points, color: op.color, size: op.size, eraser: op.eraser };
}

/** The one place a received drawing is unpacked (renderer, "copy to my canvas", scratch pad). */
export function unpackDrawing(drawing: Drawing): UnpackedDrawing {
  return { operations: drawing.operations.map(unpackOperation), width: CANVAS_WIDTH, height: CANVAS_HEIGHT };
}
