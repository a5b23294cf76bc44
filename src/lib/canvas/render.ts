// The one renderer: replays a drawing's operations onto a 2D context. The editor, its previews and
// every drawing message in the chat use it, so the same operations always give the same pixels. A
// received drawing is unpacked here and only here (unpackDrawing, docs/architecture.md#drawings-are-packed).

import { CANVAS_HEIGHT, CANVAS_WIDTH, unpackDrawing, type Drawing, type Operation, type StampId, type StrokeOp } from '../protocol/drawing';
import { floodFill, hexToRgba } from './floodFill';
import { catmullRomSegments } from './smoothing';
import { STAMPS, STAMP_BOX, stampPixelSize } from './stamps';

export const BACKGROUND = '#FFFFFF';
/** The eraser paints the background colour. */
export const ERASER_COLOR = BACKGROUND;
/** A playful stack; canvases fall back to the system sans-serif when none is installed. */
export const TEXT_FONT_FAMILY = '"Comic Sans MS", "Comic Neue", "Chalkboard SE", "Segoe Print", sans-serif';

export function textFont(fontSize: number): string {
  return `${fontSize}px ${TEXT_FONT_FAMILY}`;
}

/** Line width at a pressure in 0..1: a quarter of the brush size up to 1.75 times it; 0.5 (a mouse) draws exactly the size. */
export function strokeWidth(size: number, pressure: number): number {
  return size * (0.25 + 1.5 * pressure);
}

/**
 * A context for a 600 x 200 drawing canvas. Every canvas that shows drawings is created the same
 * way (CPU-backed, because fill reads pixels back) so their pixels can be compared exactly.
 */
export function drawingContext(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  canvas.width = CANVAS_WIDTH;
  canvas.height = CANVAS_HEIGHT;
  return canvas.getContext('2d', { willReadFrequently: true });
}

/** A drawing as sent (strokes packed), unpacked and replayed. `ctx` must back a 600 x 200 canvas. */
export function renderDrawing(ctx: CanvasRenderingContext2D, drawing: Drawing): void {
  renderOperations(ctx, unpackDrawing(drawing).operations);
}

/** White background, then every operation in order. `ctx` must back a 600 x 200 canvas. */
export function renderOperations(ctx: CanvasRenderingContext2D, operations: readonly Operation[]): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  paintBackground(ctx);
  for (const op of operations) renderOperation(ctx, op);
}

/** Draws one operation on top of what the context already shows. */
export function renderOperation(ctx: CanvasRenderingContext2D, op: Operation): void {
  ctx.save();
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  switch (op.type) {
    case 'stroke':
      drawStroke(ctx, op);
      break;
    case 'shape':
      ctx.strokeStyle = op.color;
      ctx.lineWidth = op.size;
      ctx.lineCap = 'round';
      ctx.lineJoin = op.shape === 'rect' ? 'miter' : 'round';
      ctx.beginPath();
      if (op.shape === 'line') {
        ctx.moveTo(op.x1, op.y1);
        ctx.lineTo(op.x2, op.y2);
      } else if (op.shape === 'rect') {
        ctx.rect(Math.min(op.x1, op.x2), Math.min(op.y1, op.y2), Math.abs(op.x2 - op.x1), Math.abs(op.y2 - op.y1));
      } else {
        ctx.ellipse((op.x1 + op.x2) / 2, (op.y1 + op.y2) / 2, Math.abs(op.x2 - op.x1) / 2, Math.abs(op.y2 - op.y1) / 2, 0, 0, Math.PI * 2);
      }
      ctx.stroke();
      break;
    case 'fill': {
      const pixels = ctx.getImageData(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT);
      if (floodFill(pixels, op.x, op.y, hexToRgba(op.color)) > 0) ctx.putImageData(pixels, 0, 0);
      break;
    }
    case 'text':
      ctx.font = textFont(op.fontSize);
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      ctx.fillStyle = op.color;
      ctx.fillText(op.content, op.x, op.y);
      break;
    case 'stamp': {
      const px = stampPixelSize(op.size);
      ctx.translate(op.x - px / 2, op.y - px / 2);
      ctx.scale(px / STAMP_BOX, px / STAMP_BOX);
      ctx.fillStyle = op.color;
      ctx.fill(stampPath(op.stampId), STAMPS[op.stampId].rule);
      break;
    }
    case 'clear':
      paintBackground(ctx);
      break;
  }
  ctx.restore();
}

function paintBackground(ctx: CanvasRenderingContext2D) {
  ctx.save();
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT);
  ctx.restore();
}

function drawStroke(ctx: CanvasRenderingContext2D, op: StrokeOp) {
  const color = op.eraser ? ERASER_COLOR : op.color;
  const { points } = op;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';

  const first = points[0];
  if (points.every((p) => p.x === first.x && p.y === first.y)) {
    // A tap: a round dot the size of the line.
    ctx.beginPath();
    ctx.arc(first.x, first.y, strokeWidth(op.size, first.pressure) / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }

  // Each segment takes the mean pressure of its ends; consecutive segments of equal width share
  // one path so a mouse stroke (constant pressure) is a single clean line.
  const segments = catmullRomSegments(points);
  let i = 0;
  while (i < segments.length) {
    const width = strokeWidth(op.size, (points[i].pressure + points[i + 1].pressure) / 2);
    ctx.beginPath();
    ctx.moveTo(segments[i].from.x, segments[i].from.y);
    let j = i;
    while (j < segments.length && strokeWidth(op.size, (points[j].pressure + points[j + 1].pressure) / 2) === width) {
      const s = segments[j];
      ctx.bezierCurveTo(s.cp1.x, s.cp1.y, s.cp2.x, s.cp2.y, s.to.x, s.to.y);
      j++;
    }
    ctx.lineWidth = width;
    ctx.stroke();
    i = j;
  }
}

const stampPaths = new Map<StampId, Path2D>();

function stampPath(id: StampId): Path2D {
  let path = stampPaths.get(id);
  if (!path) {
    path = new Path2D(STAMPS[id].d);
    stampPaths.set(id, path);
  }
  return path;
}
