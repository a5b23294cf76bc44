import { describe, expect, it } from 'vitest';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, drawingSchema, type Operation } from '../protocol/drawing';
import { FULL_NOTICE } from './budget';
import { addOperation, EMPTY_HISTORY, exportDrawing, historyFrom, redo, undo, type History } from './history';

const fill = (x: number): Operation => ({ type: 'fill', x, y: 1, color: '#FF0000' });
const clear: Operation = { type: 'clear' };

function add(history: History, ...ops: Operation[]): History {
  for (const op of ops) {
    const change = addOperation(history, op);
    if (!change.ok) throw new Error(`refused: ${change.reason}`);
    history = change.history;
  }
  return history;
}

describe('drawing history', () => {
  it('undoes and redoes in order; a new operation forgets what was undone', () => {
    let h = add(EMPTY_HISTORY, fill(1), fill(2), fill(3));
    h = undo(undo(h));
    expect(h.operations).toEqual([fill(1)]);
    h = redo(h);
    expect(h.operations).toEqual([fill(1), fill(2)]);
    expect(h.undone).toEqual([fill(3)]);
    h = add(h, fill(9));
    expect(h.undone).toEqual([]);
    expect(redo(h)).toBe(h);
    expect(undo(EMPTY_HISTORY)).toBe(EMPTY_HISTORY);
  });

  it('treats clear as an undoable operation, and exports only what is visible', () => {
    let h = add(EMPTY_HISTORY, fill(1), fill(2), clear, fill(3));
    expect(exportDrawing(h)).toEqual({ operations: [fill(3)], width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
    h = undo(undo(h));
    expect(exportDrawing(h).operations).toEqual([fill(1), fill(2)]);
  });

  it('does not record a clear of a blank canvas', () => {
    const blank = addOperation(EMPTY_HISTORY, clear);
    expect(blank.ok).toBe(false);
    const cleared = add(EMPTY_HISTORY, fill(1), clear);
    expect(addOperation(cleared, clear).ok).toBe(false);
  });

  it('exports a copy that later changes cannot reach', () => {
    const h = add(EMPTY_HISTORY, { type: 'text', x: 1, y: 1, content: 'hi', color: '#000000', fontSize: 12 });
    const drawing = exportDrawing(h);
    (drawing.operations[0] as { content: string }).content = 'changed';
    expect(exportDrawing(h).operations[0]).toMatchObject({ content: 'hi' });
  });

  it('refuses operations the contract would reject', () => {
    const bad = { type: 'fill', x: Number.NaN, y: 1, color: '#FF0000' } as Operation;
    expect(addOperation(EMPTY_HISTORY, bad)).toEqual({ ok: false, reason: 'That could not be drawn.' });
    const offPalette = { type: 'fill', x: 1, y: 1, color: '#123456' } as unknown as Operation;
    expect(addOperation(EMPTY_HISTORY, offPalette).ok).toBe(false);
  });

  it('stops at the operation limit and says so; clearing makes room again', () => {
    let h = EMPTY_HISTORY;
    for (let i = 0; i < DRAWING_LIMITS.maxOperations; i++) h = add(h, fill(i % CANVAS_WIDTH));
    expect(addOperation(h, fill(0))).toEqual({ ok: false, reason: FULL_NOTICE });
    expect(drawingSchema.safeParse(exportDrawing(h)).success).toBe(true);
    h = add(h, clear, fill(5));
    expect(exportDrawing(h).operations).toEqual([fill(5)]);
    // Undoing back across the clear returns to the full drawing, which is still valid.
    h = undo(undo(h));
    expect(drawingSchema.safeParse(exportDrawing(h)).success).toBe(true);
  });

  it('stops at the size limit even when the count is far from it', () => {
    const longText = (i: number): Operation => ({ type: 'text', x: i % 500, y: 1, content: '€'.repeat(200), color: '#000000', fontSize: 12 });
    let h = EMPTY_HISTORY;
    let refused: string | null = null;
    for (let i = 0; i < DRAWING_LIMITS.maxOperations && !refused; i++) {
      const change = addOperation(h, longText(i));
      if (change.ok) h = change.history;
      else refused = change.reason;
    }
    expect(refused).toBe(FULL_NOTICE);
    expect(h.operations.length).toBeLessThan(DRAWING_LIMITS.maxOperations);
    expect(drawingSchema.safeParse(exportDrawing(h)).success).toBe(true);
  });

  it('loads only drawings the contract accepts, with a fresh undo stack', () => {
    const loaded = historyFrom({ operations: [fill(4)], width: CANVAS_WIDTH, height: CANVAS_HEIGHT });
    expect(loaded).toEqual({ ok: true, history: { operations: [fill(4)], undone: [] } });
    expect(historyFrom({ operations: [fill(4)], width: 300, height: CANVAS_HEIGHT }).ok).toBe(false);
    expect(historyFrom({ operations: [{ type: 'spray' }], width: CANVAS_WIDTH, height: CANVAS_HEIGHT }).ok).toBe(false);
    expect(historyFrom(null).ok).toBe(false);
  });

  it('sends strokes packed and opens a packed drawing to the very points drawn ("Copy to my canvas")', () => {
    const stroke: Operation = {
      type: 'stroke',
      points: [{ x: 10.1, y: 20.2, pressure: 0.37 }, { x: 40.5, y: -3.3, pressure: 0.9 }, { x: 41, y: -1, pressure: 0.9 }],
      color: '#0000FF',
      size: 8,
      eraser: false
    };
    const h = add(EMPTY_HISTORY, fill(1), stroke);
    const sent = exportDrawing(h);
    expect(sent.operations[1]).toMatchObject({ type: 'stroke', points: expect.any(String), color: '#0000FF', size: 8, eraser: false });
    expect(drawingSchema.safeParse(sent).success).toBe(true);
    const copied = historyFrom(JSON.parse(JSON.stringify(sent)));
    expect(copied).toEqual({ ok: true, history: { operations: [fill(1), stroke], undone: [] } });
    // The form before packing is not the contract any more.
    expect(historyFrom({ operations: [stroke], width: CANVAS_WIDTH, height: CANVAS_HEIGHT }).ok).toBe(false);
  });
});
