// The contract's limits seen from the editor: how much of a drawing is used, and whether one more
// operation still fits. Bytes are those of the drawing as sent, strokes packed
// (docs/architecture.md#drawings-are-packed). Pure, so the rules are tested without a browser.

import {
  DRAWING_LIMITS,
  packDrawing,
  packOperation,
  serializedBytes,
  type Operation
} from '../protocol/drawing';

export const FULL_NOTICE = 'Your drawing is full. Undo or clear to keep drawing.';

/** What one more operation may still use without the drawing breaking a limit. */
export interface Budget {
  operations: number;
  points: number;
  bytes: number;
}

/** Operations after the last clear: everything before it is hidden, so it is never exported. */
export function visibleOperations(operations: readonly Operation[]): Operation[] {
  for (let i = operations.length - 1; i >= 0; i--) {
    if (operations[i].type === 'clear') return operations.slice(i + 1);
  }
  return operations.slice();
}

export function countPoints(operations: readonly Operation[]): number {
  let points = 0;
  for (const op of operations) if (op.type === 'stroke') points += op.points.length;
  return points;
}

// Operations never change once made, so each one's packed size is measured once.
const operationBytes = new WeakMap<Operation, number>();
const EMPTY_DRAWING_BYTES = serializedBytes(packDrawing([]));

/** Bytes of the operation's JSON as sent (a stroke packed). */
export function packedBytes(op: Operation): number {
  let size = operationBytes.get(op);
  if (size === undefined) {
    size = serializedBytes(packOperation(op));
    operationBytes.set(op, size);
  }
  return size;
}

/** serializedBytes of the packed drawing holding these operations, without packing it again. */
export function drawingBytes(operations: readonly Operation[]): number {
  let bytes = EMPTY_DRAWING_BYTES + Math.max(0, operations.length - 1); // the commas between
  for (const op of operations) bytes += packedBytes(op);
  return bytes;
}

/** Room left after the visible operations of a drawing. */
export function remainingBudget(visible: Operation[]): Budget {
  return {
    operations: DRAWING_LIMITS.maxOperations - visible.length,
    points: DRAWING_LIMITS.maxPointsTotal - countPoints(visible),
    // One more byte for the comma that separates the next operation from the last.
    bytes: DRAWING_LIMITS.maxSerializedBytes - drawingBytes(visible) - (visible.length > 0 ? 1 : 0)
  };
}

export function fitsBudget(op: Operation, budget: Budget): boolean {
  if (op.type === 'clear') return true;
  const points = op.type === 'stroke' ? op.points.length : 0;
  return budget.operations >= 1 && points <= budget.points && packedBytes(op) <= budget.bytes;
}
