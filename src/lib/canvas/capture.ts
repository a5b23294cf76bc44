// Turning pointer input into operations the contract accepts: coordinates clamped to the allowed
// margin and rounded to the tenth of a pixel (and pressure to the hundredth) that packed strokes
// keep exactly, thinned points, and a stroke that stops growing when the drawing's budget runs out.

import {
  CANVAS_HEIGHT,
  CANVAS_WIDTH,
  DRAWING_LIMITS,
  serializedBytes,
  type BrushSize,
  type PaletteColor,
  type Point,
  type StrokeOp
} from '../protocol/drawing';
import { PackedSize } from '../protocol/points';
import type { Budget } from './budget';
import { isFarEnough } from './thinning';

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const round1 = (value: number) => Math.round(value * 10) / 10 || 0;
const round2 = (value: number) => Math.round(value * 100) / 100 || 0;

/** Any finite number to an x the contract accepts (a stroke may leave the edge a little). */
export function clampX(x: number): number {
  const m = DRAWING_LIMITS.coordinateMargin;
  return Number.isFinite(x) ? round1(clamp(x, -m, CANVAS_WIDTH + m)) : 0;
}

export function clampY(y: number): number {
  const m = DRAWING_LIMITS.coordinateMargin;
  return Number.isFinite(y) ? round1(clamp(y, -m, CANVAS_HEIGHT + m)) : 0;
}

/** A pixel inside the canvas (fill seeds, stamps and text land on the canvas itself). */
export function insideX(x: number): number {
  return Number.isFinite(x) ? clamp(Math.floor(x), 0, CANVAS_WIDTH - 1) : 0;
}

export function insideY(y: number): number {
  return Number.isFinite(y) ? clamp(Math.floor(y), 0, CANVAS_HEIGHT - 1) : 0;
}

/**
 * Pressure in 0..1. Only pens measure it; mice and most touch screens report 0.5 (or 0) while
 * pressed, so they always get the even 0.5 that draws exactly the brush size.
 */
export function normalizePressure(pointerType: string, pressure: number): number {
  if (pointerType !== 'pen' || !Number.isFinite(pressure) || pressure <= 0) return 0.5;
  return Math.round(clamp(pressure, 0, 1) * 100) / 100;
}

export type AddPointResult = 'added' | 'skipped' | 'full';

/** A stroke being drawn: points go in as the pointer moves, an operation comes out at the end. */
export class StrokeBuilder {
  readonly points: Point[] = [];
  #color: PaletteColor;
  #size: BrushSize;
  #eraser: boolean;
  #budget: Budget;
  /** Bytes of the packed stroke with no points (an empty points string). */
  #emptyBytes: number;
  #packed = new PackedSize();

  constructor(options: { color: PaletteColor; size: BrushSize; eraser: boolean; budget: Budget }) {
    this.#color = options.color;
    this.#size = options.size;
    this.#eraser = options.eraser;
    this.#budget = options.budget;
    this.#emptyBytes = serializedBytes({ type: 'stroke', points: '', color: this.#color, size: this.#size, eraser: this.#eraser });
  }

  /** Whether even the shortest stroke (two points as far apart as may be) still fits the drawing. */
  get canStart(): boolean {
    const m = DRAWING_LIMITS.coordinateMargin;
    const widest = new PackedSize();
    widest.add({ x: -m, y: -m, pressure: 0 });
    const twoPoints = this.#emptyBytes + widest.charsWith({ x: CANVAS_WIDTH + m, y: CANVAS_HEIGHT + m, pressure: 1 });
    return this.#budget.operations >= 1 && this.#budget.points >= 2 && twoPoints <= this.#budget.bytes;
  }

  /** Adds a point unless it is within 2 px of the last one, or the drawing has no room left. */
  add(x: number, y: number, pressure: number): AddPointResult {
    const point: Point = { x: clampX(x), y: clampY(y), pressure: round2(clamp(pressure, 0, 1)) };
    const last = this.points[this.points.length - 1];
    if (last && !isFarEnough(last, point)) return 'skipped';
    // A lone point is sent twice (a dot), so the first one must leave room for its copy.
    const bytes = this.#emptyBytes + (this.points.length === 0 ? this.#dotChars(point) : this.#packed.charsWith(point));
    if (this.points.length + 1 > this.#budget.points || bytes > this.#budget.bytes) return 'full';
    this.points.push(point);
    this.#packed.add(point);
    return 'added';
  }

  #dotChars(point: Point): number {
    const dot = new PackedSize();
    dot.add(point);
    return dot.charsWith(point);
  }

  /** The finished stroke; a tap (one point) becomes a dot made of the same point twice. */
  toOperation(): StrokeOp | null {
    if (this.points.length === 0) return null;
    const points = this.points.length === 1 ? [this.points[0], { ...this.points[0] }] : this.points.slice();
    return this.#build(points);
  }

  #build(points: Point[]): StrokeOp {
    return { type: 'stroke', points, color: this.#color, size: this.#size, eraser: this.#eraser };
  }
}
