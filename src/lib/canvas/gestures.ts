// What the pointer does on the canvas, by tool: a stroke grows point by point, a shape stretches
// from where it started, a tap fills or stamps, and a press with the text tool asks for a cursor.
// No DOM here: the editor hands in the events (a PointerEvent fits `PointerInput`) and the side
// effects it wants, so every gesture can be replayed in a unit test.

import { CANVAS_HEIGHT, CANVAS_WIDTH, type Operation, type ShapeKind, type StampOp } from '../protocol/drawing';
import { FULL_NOTICE } from './budget';
import { StrokeBuilder, clampX, clampY, insideX, insideY, normalizePressure } from './capture';
import { ERASER_COLOR } from './render';
import type { SoundKind } from './sounds.svelte';
import type { CanvasState } from './state.svelte';

export interface PointerInput {
  readonly type: string;
  readonly pointerId: number;
  readonly pointerType: string;
  readonly button: number;
  readonly pressure: number;
  readonly clientX: number;
  readonly clientY: number;
}

/** Where the canvas sits on the page (a DOMRect fits). */
export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface Position {
  x: number;
  y: number;
}

export type GestureCanvas = Pick<CanvasState, 'tool' | 'color' | 'size' | 'stampId' | 'remaining' | 'notice' | 'add'>;

export interface GestureOptions {
  canvas: GestureCanvas;
  /** Read at each event: the canvas may have been resized or scrolled since. */
  bounds(): Box;
  /** Keeps the pointer's events coming while it leaves the canvas mid-gesture. */
  capture(pointerId: number): void;
  play(sound: SoundKind): void;
  /** A text press was released here: the editor opens a text cursor. */
  placeText(at: Position): void;
}

type Gesture =
  | { kind: 'stroke'; pointerId: number; builder: StrokeBuilder; full: boolean }
  | { kind: 'shape'; pointerId: number; shape: ShapeKind; x1: number; y1: number; x2: number; y2: number }
  | { kind: 'text'; pointerId: number };

/** Maps a pointer to the 600 x 200 drawing space, however wide the canvas is shown. */
export function toDrawingSpace(e: Pick<PointerInput, 'clientX' | 'clientY'>, box: Box): Position {
  return {
    x: ((e.clientX - box.left) * CANVAS_WIDTH) / box.width,
    y: ((e.clientY - box.top) * CANVAS_HEIGHT) / box.height
  };
}

export class PointerGestures {
  #options: GestureOptions;
  #gesture: Gesture | null = null;
  /** Where a stamp would land while a mouse or pen hovers. */
  #hover: Position | null = null;

  constructor(options: GestureOptions) {
    this.#options = options;
  }

  /** The stroke or shape being drawn, as it would be added now. */
  get preview(): Operation | null {
    const g = this.#gesture;
    if (g?.kind === 'stroke') return g.builder.toOperation();
    if (g?.kind === 'shape') return this.#shapeOperation(g);
    return null;
  }

  /** The stamp the hovering pointer would place, shown faded before the press. */
  get ghost(): StampOp | null {
    const { canvas } = this.#options;
    if (this.#gesture || !this.#hover || canvas.tool !== 'stamp') return null;
    return { type: 'stamp', x: this.#hover.x, y: this.#hover.y, stampId: canvas.stampId, size: canvas.size, color: canvas.color };
  }

  /** Whether this press starts a gesture: a second finger while drawing, or a mouse's other buttons, do not. */
  accepts(e: PointerInput): boolean {
    return !this.#gesture && !(e.pointerType === 'mouse' && e.button !== 0);
  }

  /** Starts the chosen tool's gesture (call only when `accepts` said yes). */
  down(e: PointerInput): void {
    const { canvas, play } = this.#options;
    const p = this.#locate(e);
    const tool = canvas.tool;
    if (tool === 'pen' || tool === 'eraser') {
      const eraser = tool === 'eraser';
      const builder = new StrokeBuilder({ color: eraser ? ERASER_COLOR : canvas.color, size: canvas.size, eraser, budget: canvas.remaining });
      if (!builder.canStart) {
        canvas.notice = FULL_NOTICE;
        return;
      }
      builder.add(p.x, p.y, normalizePressure(e.pointerType, e.pressure));
      this.#gesture = { kind: 'stroke', pointerId: e.pointerId, builder, full: false };
      play('pen');
    } else if (tool === 'line' || tool === 'rect' || tool === 'ellipse') {
      const x = clampX(p.x);
      const y = clampY(p.y);
      this.#gesture = { kind: 'shape', pointerId: e.pointerId, shape: tool, x1: x, y1: y, x2: x, y2: y };
      play('pen');
    } else if (tool === 'fill') {
      if (canvas.add({ type: 'fill', x: insideX(p.x), y: insideY(p.y), color: canvas.color })) play('stamp');
    } else if (tool === 'stamp') {
      const op: StampOp = { type: 'stamp', x: clampX(p.x), y: clampY(p.y), stampId: canvas.stampId, size: canvas.size, color: canvas.color };
      if (canvas.add(op)) play('stamp');
    } else {
      this.#gesture = { kind: 'text', pointerId: e.pointerId };
    }
    if (this.#gesture) this.#options.capture(e.pointerId);
  }

  /**
   * Follows the pointer; `coalesced` are the positions it reported since the last event, so fast
   * strokes keep their shape. True when the overlay should be painted again.
   */
  move(e: PointerInput, coalesced: readonly PointerInput[] = []): boolean {
    const g = this.#gesture;
    if (!g) {
      if (e.pointerType === 'touch' || this.#options.canvas.tool !== 'stamp') return false;
      this.#hover = this.#locate(e);
      return true;
    }
    if (g.pointerId !== e.pointerId) return false;
    if (g.kind === 'stroke') this.#extend(g, coalesced.length > 0 ? coalesced : [e]);
    else if (g.kind === 'shape') {
      const p = this.#locate(e);
      g.x2 = clampX(p.x);
      g.y2 = clampY(p.y);
    }
    return true;
  }

  /**
   * Finishes the gesture on pointerup; pointercancel and a lost capture end it too, but only a
   * real release places text. True when a gesture ended.
   */
  end(e: PointerInput): boolean {
    const g = this.#gesture;
    if (!g || g.pointerId !== e.pointerId) return false;
    this.#gesture = null;
    const { canvas } = this.#options;
    if (g.kind === 'stroke') {
      const op = g.builder.toOperation();
      if (op) canvas.add(op);
      if (g.full) canvas.notice = FULL_NOTICE;
    } else if (g.kind === 'shape') {
      if (g.x1 !== g.x2 || g.y1 !== g.y2) canvas.add(this.#shapeOperation(g));
    } else if (e.type === 'pointerup') {
      this.#options.placeText(this.#locate(e));
    }
    return true;
  }

  /** The pointer left the canvas: no more stamp ghost. True when one was showing. */
  leave(): boolean {
    if (!this.#hover) return false;
    this.#hover = null;
    return true;
  }

  #extend(g: Extract<Gesture, { kind: 'stroke' }>, moves: readonly PointerInput[]) {
    let added = false;
    for (const move of moves) {
      const p = this.#locate(move);
      const result = g.builder.add(p.x, p.y, normalizePressure(move.pointerType, move.pressure));
      if (result === 'added') added = true;
      if (result === 'full' && !g.full) {
        g.full = true;
        this.#options.canvas.notice = FULL_NOTICE;
      }
    }
    if (added) this.#options.play('stroke');
  }

  #shapeOperation(g: Extract<Gesture, { kind: 'shape' }>): Operation {
    const { color, size } = this.#options.canvas;
    return { type: 'shape', shape: g.shape, x1: g.x1, y1: g.y1, x2: g.x2, y2: g.y2, color, size };
  }

  #locate(e: PointerInput): Position {
    return toDrawingSpace(e, this.#options.bounds());
  }
}
