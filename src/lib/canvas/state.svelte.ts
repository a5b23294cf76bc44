// The editor's state on runes: the chosen tool, colour and sizes, and the drawing's undoable
// history. The rules live in history.ts; this class holds the current value and exposes it.

import type { BrushSize, Drawing, FontSize, Operation, PaletteColor, StampId } from '../protocol/drawing';
import { remainingBudget, visibleOperations, type Budget } from './budget';
import { addOperation, EMPTY_HISTORY, exportDrawing, historyFrom, redo, undo, type Change, type History } from './history';

export const TOOLS = ['pen', 'eraser', 'line', 'rect', 'ellipse', 'fill', 'text', 'stamp'] as const;
export type Tool = (typeof TOOLS)[number];

export class CanvasState {
  tool = $state<Tool>('pen');
  color = $state<PaletteColor>('#000000');
  size = $state<BrushSize>(4);
  fontSize = $state<FontSize>(16);
  stampId = $state<StampId>('heart');
  /** Why the last change was refused (e.g. the drawing is full), for the editor to show. */
  notice = $state<string | null>(null);

  #history = $state.raw<History>(EMPTY_HISTORY);
  #visible = $derived(visibleOperations(this.#history.operations));
  #remaining = $derived(remainingBudget(this.#visible));

  /** Every operation in order, including those hidden by a clear (what undo walks back through). */
  get operations(): readonly Operation[] {
    return this.#history.operations;
  }

  get canUndo(): boolean {
    return this.#history.operations.length > 0;
  }

  get canRedo(): boolean {
    return this.#history.undone.length > 0;
  }

  /** The operations after the last clear: what the canvas shows. */
  get visible(): readonly Operation[] {
    return this.#visible;
  }

  /** Nothing visible: a blank canvas, whether never drawn on or cleared. */
  get isEmpty(): boolean {
    return this.#visible.length === 0;
  }

  /** Room left for the next operation (the editor stops a stroke before it overflows). */
  get remaining(): Budget {
    return this.#remaining;
  }

  /** Adds an operation unless it would break the contract; says why in `notice` when refused. */
  add(op: Operation): boolean {
    return this.#apply(addOperation(this.#history, op));
  }

  /** Clearing is an operation like any other, so it can be undone. */
  clear(): void {
    this.add({ type: 'clear' });
  }

  undo(): void {
    this.#history = undo(this.#history);
    this.notice = null;
  }

  redo(): void {
    this.#history = redo(this.#history);
    this.notice = null;
  }

  /** The picture as the contract's data (strokes packed): only what is visible, detached from this state. */
  toDrawing(): Drawing {
    return exportDrawing(this.#history);
  }

  /** Replaces the drawing (e.g. "Copy to my canvas"); refuses anything the contract rejects. */
  load(drawing: Drawing): boolean {
    return this.#apply(historyFrom(drawing));
  }

  /** A blank canvas again (after sending); the chosen tool, colour and sizes stay. */
  reset(): void {
    this.#history = EMPTY_HISTORY;
    this.notice = null;
  }

  #apply(change: Change): boolean {
    if (!change.ok) {
      if (change.reason) this.notice = change.reason;
      return false;
    }
    this.#history = change.history;
    this.notice = null;
    return true;
  }
}

export function createCanvasState(): CanvasState {
  return new CanvasState();
}

export { FULL_NOTICE, type Budget } from './budget';
