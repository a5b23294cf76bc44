import type { Drawing, Operation, PackedOperation } from './drawing';
import { packPoints, unpackPoints, type PointBounds } from './points';

// The part of the drawing contract a page needs to show a drawing: the canvas, the budgets, and
// packing strokes to and from their wire form (docs/architecture.md#drawings-are-packed). No zod
// here: the room list draws thumbnails with it and stays light (docs/architecture.md#delivery).
// The schemas that check a drawing are in drawing.ts.

export const CANVAS_WIDTH = 600;
export const CANVAS_HEIGHT = 200;

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

export const POINT_BOUNDS: PointBounds = {
  minX: -m,
  maxX: CANVAS_WIDTH + m,
  minY: -m,
  maxY: CANVAS_HEIGHT + m,
  maxPoints: DRAWING_LIMITS.maxPointsTotal
};

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
