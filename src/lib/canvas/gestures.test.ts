import { describe, expect, it } from 'vitest';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, type Operation } from '../protocol/drawing';
import { FULL_NOTICE, remainingBudget, type Budget } from './budget';
import { PointerGestures, toDrawingSpace, type Box, type GestureCanvas, type PointerInput, type Position } from './gestures';
import { ERASER_COLOR } from './render';
import type { SoundKind } from './sounds.svelte';
import type { Tool } from './state.svelte';

// The canvas shown at half size, 20 px from the page's corner: page (20 + x/2, 30 + y/2) is
// drawing (x, y).
const BOX: Box = { left: 20, top: 30, width: CANVAS_WIDTH / 2, height: CANVAS_HEIGHT / 2 };

function pointer(x: number, y: number, overrides: Partial<PointerInput> = {}): PointerInput {
  return { type: 'pointermove', pointerId: 1, pointerType: 'mouse', button: 0, pressure: 0.5, clientX: BOX.left + x / 2, clientY: BOX.top + y / 2, ...overrides };
}

function setup(tool: Tool, budget: Budget = remainingBudget([])) {
  const added: Operation[] = [];
  const sounds: SoundKind[] = [];
  const captured: number[] = [];
  const texts: Position[] = [];
  const canvas: GestureCanvas = {
    tool,
    color: '#FF0000',
    size: 8,
    stampId: 'star',
    remaining: budget,
    notice: null,
    add(op) {
      added.push(op);
      return true;
    }
  };
  const gestures = new PointerGestures({
    canvas,
    bounds: () => BOX,
    capture: (id) => captured.push(id),
    play: (sound) => sounds.push(sound),
    placeText: (at) => texts.push(at)
  });
  /** Presses where the editor would: only when the gesture accepts it. */
  const press = (e: PointerInput) => {
    if (!gestures.accepts(e)) return false;
    gestures.down(e);
    return true;
  };
  return { gestures, canvas, added, sounds, captured, texts, press };
}

describe('pointer positions', () => {
  it('map from the page to the 600 x 200 drawing however large the canvas is shown', () => {
    expect(toDrawingSpace({ clientX: 20, clientY: 30 }, BOX)).toEqual({ x: 0, y: 0 });
    expect(toDrawingSpace({ clientX: 320, clientY: 130 }, BOX)).toEqual({ x: CANVAS_WIDTH, y: CANVAS_HEIGHT });
    expect(toDrawingSpace({ clientX: 170, clientY: 80 }, BOX)).toEqual({ x: 300, y: 100 });
  });
});

describe('pen and eraser strokes', () => {
  it('grow with each move, capture the pointer, and become one stroke on release', () => {
    const { gestures, press, added, captured, sounds } = setup('pen');
    press(pointer(10, 10, { type: 'pointerdown', pointerId: 7 }));
    expect(captured).toEqual([7]);
    expect(gestures.move(pointer(60, 40, { pointerId: 7 }))).toBe(true);
    expect(gestures.preview).toMatchObject({ type: 'stroke', color: '#FF0000', size: 8, eraser: false });
    expect(gestures.end(pointer(60, 40, { type: 'pointerup', pointerId: 7 }))).toBe(true);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ type: 'stroke', points: [{ x: 10, y: 10, pressure: 0.5 }, { x: 60, y: 40, pressure: 0.5 }] });
    expect(sounds).toEqual(['pen', 'stroke']);
    expect(gestures.preview).toBeNull();
  });

  it('take every coalesced position, and a pen keeps its pressure', () => {
    const { gestures, press, added } = setup('pen');
    press(pointer(0, 100, { pointerType: 'pen', pressure: 0.2 }));
    const coalesced = [30, 60, 90].map((x, i) => pointer(x, 100, { pointerType: 'pen', pressure: 0.4 + i * 0.2 }));
    gestures.move(coalesced[2], coalesced);
    gestures.end(pointer(90, 100, { type: 'pointerup' }));
    const stroke = added[0];
    if (stroke.type !== 'stroke') throw new Error('expected a stroke');
    expect(stroke.points.map((p) => [p.x, p.pressure])).toEqual([[0, 0.2], [30, 0.4], [60, 0.6], [90, 0.8]]);
  });

  it('turn a tap into a dot', () => {
    const { press, gestures, added } = setup('pen');
    press(pointer(50, 50));
    gestures.end(pointer(50, 50, { type: 'pointerup' }));
    expect(added[0]).toMatchObject({ type: 'stroke', points: [{ x: 50, y: 50 }, { x: 50, y: 50 }] });
  });

  it('erase with the background colour', () => {
    const { press, gestures, added } = setup('eraser');
    press(pointer(50, 50));
    gestures.end(pointer(80, 50, { type: 'pointerup' }));
    expect(added[0]).toMatchObject({ type: 'stroke', color: ERASER_COLOR, eraser: true });
  });

  it('do not start when the drawing is full, and say so', () => {
    const { press, gestures, canvas, captured, added } = setup('pen', { operations: 0, points: 0, bytes: 0 });
    press(pointer(50, 50));
    expect(canvas.notice).toBe(FULL_NOTICE);
    expect(captured).toEqual([]);
    expect(gestures.end(pointer(50, 50, { type: 'pointerup' }))).toBe(false);
    expect(added).toEqual([]);
  });

  it('stop growing when the budget runs out, keep what fits, and say so once', () => {
    const budget = { ...remainingBudget([]), points: 3 };
    const { press, gestures, canvas, added } = setup('pen', budget);
    press(pointer(0, 0));
    for (let x = 10; x <= 60; x += 10) gestures.move(pointer(x, 0));
    expect(canvas.notice).toBe(FULL_NOTICE);
    canvas.notice = null;
    gestures.move(pointer(70, 0));
    expect(canvas.notice).toBeNull();
    gestures.end(pointer(70, 0, { type: 'pointerup' }));
    expect(canvas.notice).toBe(FULL_NOTICE);
    const stroke = added[0];
    expect(stroke.type === 'stroke' && stroke.points.length).toBe(3);
  });
});

describe('which presses start a gesture', () => {
  it('ignores the right mouse button, but not a pen or a finger', () => {
    const { gestures } = setup('pen');
    expect(gestures.accepts(pointer(1, 1, { button: 2 }))).toBe(false);
    expect(gestures.accepts(pointer(1, 1, { button: 2, pointerType: 'pen' }))).toBe(true);
    expect(gestures.accepts(pointer(1, 1, { pointerType: 'touch' }))).toBe(true);
  });

  it('ignores a second finger while the first draws, and that finger moving or lifting', () => {
    const { gestures, press, added } = setup('pen');
    press(pointer(10, 10, { pointerId: 1, pointerType: 'touch' }));
    expect(press(pointer(200, 200, { pointerId: 2, pointerType: 'touch' }))).toBe(false);
    expect(gestures.move(pointer(300, 150, { pointerId: 2, pointerType: 'touch' }))).toBe(false);
    expect(gestures.end(pointer(300, 150, { type: 'pointerup', pointerId: 2 }))).toBe(false);
    gestures.end(pointer(40, 10, { type: 'pointerup', pointerId: 1 }));
    expect(added).toHaveLength(1);
    expect(added[0].type === 'stroke' && added[0].points.every((p) => p.x < 100)).toBe(true);
  });
});

describe('shapes', () => {
  it('stretch from the press to the pointer and are added on release', () => {
    const { press, gestures, added } = setup('rect');
    press(pointer(100, 50));
    gestures.move(pointer(250, 150));
    expect(gestures.preview).toEqual({ type: 'shape', shape: 'rect', x1: 100, y1: 50, x2: 250, y2: 150, color: '#FF0000', size: 8 });
    gestures.end(pointer(250, 150, { type: 'pointerup' }));
    expect(added).toEqual([{ type: 'shape', shape: 'rect', x1: 100, y1: 50, x2: 250, y2: 150, color: '#FF0000', size: 8 }]);
  });

  it('keep their ends within the margin the contract allows', () => {
    const { press, gestures } = setup('line');
    press(pointer(10, 10));
    gestures.move(pointer(5000, -5000));
    const m = DRAWING_LIMITS.coordinateMargin;
    expect(gestures.preview).toMatchObject({ x2: CANVAS_WIDTH + m, y2: -m });
  });

  it('are not added when the pointer never moved', () => {
    const { press, gestures, added } = setup('ellipse');
    press(pointer(100, 50));
    gestures.end(pointer(100, 50, { type: 'pointerup' }));
    expect(added).toEqual([]);
  });
});

describe('taps', () => {
  it('fill from the pixel under the pointer, without capturing it', () => {
    const { press, added, captured, sounds } = setup('fill');
    press(pointer(599.7, 12.4));
    expect(added).toEqual([{ type: 'fill', x: 599, y: 12, color: '#FF0000' }]);
    expect(captured).toEqual([]);
    expect(sounds).toEqual(['stamp']);
  });

  it('place the chosen stamp', () => {
    const { press, added } = setup('stamp');
    press(pointer(320, 100));
    expect(added).toEqual([{ type: 'stamp', x: 320, y: 100, stampId: 'star', size: 8, color: '#FF0000' }]);
  });
});

describe('the stamp ghost', () => {
  it('follows a hovering mouse and goes when it leaves', () => {
    const { gestures } = setup('stamp');
    expect(gestures.move(pointer(40, 60))).toBe(true);
    expect(gestures.ghost).toEqual({ type: 'stamp', x: 40, y: 60, stampId: 'star', size: 8, color: '#FF0000' });
    expect(gestures.leave()).toBe(true);
    expect(gestures.ghost).toBeNull();
    expect(gestures.leave()).toBe(false);
  });

  it('is not shown for a finger (it cannot hover) or for other tools', () => {
    expect(setup('stamp').gestures.move(pointer(40, 60, { pointerType: 'touch' }))).toBe(false);
    const pen = setup('pen');
    expect(pen.gestures.move(pointer(40, 60))).toBe(false);
    expect(pen.gestures.ghost).toBeNull();
  });
});

describe('the text tool', () => {
  it('asks for a cursor where the press is released', () => {
    const { press, gestures, texts, captured } = setup('text');
    press(pointer(300, 100));
    expect(captured).toEqual([1]);
    expect(texts).toEqual([]);
    gestures.end(pointer(310, 90, { type: 'pointerup' }));
    expect(texts).toEqual([{ x: 310, y: 90 }]);
  });

  it('asks for nothing when the press is cancelled', () => {
    const { press, gestures, texts } = setup('text');
    press(pointer(300, 100));
    expect(gestures.end(pointer(300, 100, { type: 'pointercancel' }))).toBe(true);
    expect(texts).toEqual([]);
  });
});
