import { describe, expect, it } from 'vitest';
import { previewOf, thumbnailOf } from './activity';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, drawingSchema, packDrawing, serializedBytes, unpackDrawing, type Operation, type StrokeOp } from './drawing';
import type { Message } from './events';
import { PREVIEW_TEXT_CHARS, THUMBNAIL_MAX_BYTES } from './limits';

const base = { roomId: 'r1', id: 'm1', userId: 7, username: 'ann', reactions: [], reactionsVersion: 0, timestamp: 1_700_000_000_000 };

function stroke(count: number, color: '#000000' | '#FF0000' = '#000000'): StrokeOp {
  const tenth = (n: number) => Math.round(n * 10) / 10;
  const points = Array.from({ length: count }, (_, i) => ({ x: tenth((i * 0.37) % CANVAS_WIDTH), y: tenth((i * 0.11) % CANVAS_HEIGHT), pressure: 0.33 }));
  return { type: 'stroke', points, color, size: 4, eraser: false };
}
/** Drawings travel packed: built here from their points spelled out. */
const drawing = (...operations: Operation[]) => packDrawing(operations);

describe('previewOf', () => {
  it('keeps the start of a text, counted in characters as people see them', () => {
    const text = '🐝'.repeat(PREVIEW_TEXT_CHARS + 5);
    const preview = previewOf({ ...base, type: 'text', content: text } satisfies Message, 4);
    expect(preview).toEqual({ id: 'm1', seq: 4, userId: 7, username: 'ann', timestamp: base.timestamp, type: 'text', text: '🐝'.repeat(PREVIEW_TEXT_CHARS) });
  });

  it('names an image by its type only', () => {
    expect(previewOf({ ...base, type: 'image', content: '/uploads/messages/abcdefghijklmnopqrstu.png' }, 0)).toEqual({
      id: 'm1',
      seq: 0,
      userId: 7,
      username: 'ann',
      timestamp: base.timestamp,
      type: 'image'
    });
  });
});

describe('thumbnailOf', () => {
  it('keeps a small drawing whole', () => {
    const small = drawing({ type: 'stamp', x: 10, y: 20, stampId: 'bee', size: 8, color: '#000000' }, { type: 'fill', x: 1, y: 1, color: '#FF0000' });
    expect(thumbnailOf(small)).toEqual(small);
  });

  it('thins a drawing at the size limit until it fits, still a valid drawing with the same strokes', () => {
    const big = drawing(...Array.from({ length: 10 }, () => stroke(DRAWING_LIMITS.maxPointsTotal / 10)));
    expect(serializedBytes(big)).toBeGreaterThan(THUMBNAIL_MAX_BYTES * 4);
    const thumbnail = thumbnailOf(big)!;
    expect(serializedBytes(thumbnail)).toBeLessThanOrEqual(THUMBNAIL_MAX_BYTES);
    expect(drawingSchema.safeParse(thumbnail).success).toBe(true);
    expect(thumbnail.operations).toHaveLength(10);
    for (const op of unpackDrawing(thumbnail).operations) {
      if (op.type !== 'stroke') throw new Error('strokes stay strokes');
      // The ends stay where they were (rounded).
      expect(op.points[0]).toEqual({ x: 0, y: 0, pressure: 0.3 });
      expect(op.points.at(-1)).toEqual({ x: Math.round((1999 * 0.37) % CANVAS_WIDTH), y: Math.round((1999 * 0.11) % CANVAS_HEIGHT), pressure: 0.3 });
    }
  });

  it('drops what a clear wiped out, and gives up on what cannot shrink', () => {
    const wiped = drawing(stroke(50, '#FF0000'), { type: 'clear' }, stroke(3));
    expect(unpackDrawing(thumbnailOf(wiped)!).operations).toEqual([{ ...stroke(3), points: stroke(3).points.map((p) => ({ x: Math.round(p.x), y: Math.round(p.y), pressure: 0.3 })) }]);
    const words = drawing(...Array.from({ length: 200 }, (_, i) => ({ type: 'text' as const, x: i, y: 10, content: 'x'.repeat(DRAWING_LIMITS.maxTextChars), color: '#000000' as const, fontSize: 12 as const })));
    expect(thumbnailOf(words)).toBeUndefined();
  });
});
