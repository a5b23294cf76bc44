import { describe, expect, it } from 'vitest';
import { CANVAS_HEIGHT, CANVAS_WIDTH, type Operation, type StampOp } from '../protocol/drawing';
import { GHOST_ALPHA, paintOverlay, type OverlayContext, type OverlayScene } from './overlay';
import { textFont } from './render';

/** A context that writes down what is done to it; text is 10 px per character. */
function recorder() {
  const calls: string[] = [];
  const ctx: OverlayContext = {
    font: '',
    strokeStyle: '',
    fillStyle: '',
    lineWidth: 1,
    globalCompositeOperation: 'source-over',
    save: () => calls.push('save'),
    restore: () => calls.push('restore'),
    clearRect: (...box) => calls.push(`clearRect ${box.join(' ')}`),
    fillRect: (...box) => calls.push(`fillRect ${box.join(' ')} ${String(ctx.fillStyle)} ${ctx.globalCompositeOperation}`),
    beginPath: () => calls.push('beginPath'),
    moveTo: (x, y) => calls.push(`moveTo ${x} ${y}`),
    lineTo: (x, y) => calls.push(`lineTo ${x} ${y}`),
    stroke: () => calls.push(`stroke ${String(ctx.strokeStyle)} ${ctx.lineWidth} ${ctx.font}`),
    measureText: (text) => ({ width: text.length * 10 })
  };
  const drawn: Operation[] = [];
  const paint = (scene: Partial<OverlayScene>) =>
    paintOverlay(ctx, { preview: null, ghost: null, draft: null, caret: false, color: '#000000', fontSize: 16, ...scene }, (op) => {
      drawn.push(op);
      calls.push(`draw ${op.type}`);
    });
  return { calls, drawn, paint };
}

const clearAll = `clearRect 0 0 ${CANVAS_WIDTH} ${CANVAS_HEIGHT}`;

describe('the overlay', () => {
  it('is wiped when nothing is in progress', () => {
    const { calls, paint } = recorder();
    paint({});
    expect(calls).toEqual([clearAll]);
  });

  it('shows the stroke or shape being drawn', () => {
    const { calls, drawn, paint } = recorder();
    const shape: Operation = { type: 'shape', shape: 'line', x1: 0, y1: 0, x2: 50, y2: 50, color: '#FF0000', size: 4 };
    paint({ preview: shape });
    expect(calls).toEqual([clearAll, 'draw shape']);
    expect(drawn).toEqual([shape]);
  });

  it('fades a stamp ghost so it reads as not placed yet', () => {
    const { calls, paint } = recorder();
    const ghost: StampOp = { type: 'stamp', x: 20, y: 20, stampId: 'heart', size: 8, color: '#000000' };
    paint({ ghost });
    expect(calls).toEqual([
      clearAll,
      'draw stamp',
      'save',
      `fillRect 0 0 ${CANVAS_WIDTH} ${CANVAS_HEIGHT} rgb(0 0 0 / ${GHOST_ALPHA}) destination-in`,
      'restore'
    ]);
  });
});

describe('text being typed', () => {
  const draft = { x: 100, y: 40, content: 'Hi' };

  it('is drawn as it will be placed, with the caret after it', () => {
    const { calls, drawn, paint } = recorder();
    paint({ draft, caret: true, color: '#000080', fontSize: 24 });
    expect(drawn).toEqual([{ type: 'text', x: 100, y: 40, content: 'Hi', color: '#000080', fontSize: 24 }]);
    expect(calls).toEqual([
      clearAll,
      'draw text',
      'save',
      'beginPath',
      'moveTo 121 40',
      `lineTo 121 ${40 + 24 * 1.15}`,
      `stroke #000080 1.5 ${textFont(24)}`,
      'restore'
    ]);
  });

  it('shows only the caret before anything is typed, and nothing while the caret blinks off', () => {
    const empty = recorder();
    empty.paint({ draft: { ...draft, content: '' }, caret: true });
    expect(empty.drawn).toEqual([]);
    expect(empty.calls).toContain('moveTo 101 40');

    const off = recorder();
    off.paint({ draft, caret: false });
    expect(off.calls).toEqual([clearAll, 'draw text']);
  });

  it('draws a grey caret for white text, which would not show on the canvas', () => {
    const { calls, paint } = recorder();
    paint({ draft, caret: true, color: '#FFFFFF' });
    expect(calls.find((c) => c.startsWith('stroke'))).toMatch(/^stroke #808080 /);
  });
});
