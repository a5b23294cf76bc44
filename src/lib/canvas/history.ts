// The drawing as an undoable list of operations. Pure and immutable: each change returns a new
// history, so the rules (limits, clear, redo) are tested without a browser and the runes state
// only has to hold the current value.

import { drawingSchema, operationSchema, packDrawing, unpackDrawing, type Drawing, type Operation } from '../protocol/drawing';
import { FULL_NOTICE, fitsBudget, remainingBudget, visibleOperations } from './budget';

export interface History {
  /** Every operation in order, including those hidden by a later clear. */
  readonly operations: readonly Operation[];
  /** Undone operations, the next one to redo last. */
  readonly undone: readonly Operation[];
}

export type Change = { ok: true; history: History } | { ok: false; reason: string | null };

export const EMPTY_HISTORY: History = { operations: [], undone: [] };

/** Appends an operation unless it would make the drawing break the contract. */
export function addOperation(history: History, op: Operation): Change {
  if (!operationSchema.safeParse(op).success) return { ok: false, reason: 'That could not be drawn.' };
  const visible = visibleOperations(history.operations);
  // Clearing a blank canvas would only add an invisible step to undo.
  if (op.type === 'clear' && visible.length === 0) return { ok: false, reason: null };
  if (!fitsBudget(op, remainingBudget(visible))) return { ok: false, reason: FULL_NOTICE };
  return { ok: true, history: { operations: [...history.operations, op], undone: [] } };
}

export function undo(history: History): History {
  const last = history.operations.at(-1);
  if (!last) return history;
  return { operations: history.operations.slice(0, -1), undone: [...history.undone, last] };
}

/** Redo only returns to a state that existed before, so it always stays within the limits. */
export function redo(history: History): History {
  const next = history.undone.at(-1);
  if (!next) return history;
  return { operations: [...history.operations, next], undone: history.undone.slice(0, -1) };
}

/** What the picture is, as the contract's data: strokes packed, detached from the history. */
export function exportDrawing(history: History): Drawing {
  return packDrawing(visibleOperations(history.operations));
}

/** A fresh history holding a received drawing, unpacked; refuses anything the contract rejects. */
export function historyFrom(drawing: unknown): Change {
  const parsed = drawingSchema.safeParse(drawing);
  if (!parsed.success) return { ok: false, reason: 'That drawing could not be opened.' };
  return { ok: true, history: { operations: unpackDrawing(parsed.data).operations, undone: [] } };
}
