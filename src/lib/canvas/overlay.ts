// The live layer above the drawing: the stroke or shape in progress, a faded stamp where it would
// land, and text being typed with its caret. Nothing here is part of the drawing until added.

import { CANVAS_HEIGHT, CANVAS_WIDTH, type FontSize, type Operation, type PaletteColor, type StampOp } from '../protocol/drawing';
import { draftOperation, type TextDraft } from './draft';
import { textFont } from './render';

/** The part of a 2D context the overlay uses itself (a CanvasRenderingContext2D fits). */
export interface OverlayContext {
  font: string;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  fillStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalCompositeOperation: GlobalCompositeOperation;
  save(): void;
  restore(): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  measureText(text: string): { width: number };
}

export interface OverlayScene {
  /** The stroke or shape being drawn. */
  preview: Operation | null;
  /** The stamp a hovering pointer would place. */
  ghost: StampOp | null;
  draft: TextDraft | null;
  /** The caret blinks: false while it is off. */
  caret: boolean;
  color: PaletteColor;
  fontSize: FontSize;
}

/** How much of the ghost shows, so it reads as "not placed yet". */
export const GHOST_ALPHA = 0.45;
/** A caret on white text would vanish on the white canvas. */
const CARET_ON_WHITE = '#808080';

/** Repaints the whole overlay; `draw` renders an operation on the same context. */
export function paintOverlay(ctx: OverlayContext, scene: OverlayScene, draw: (op: Operation) => void): void {
  ctx.clearRect(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT);
  if (scene.preview) draw(scene.preview);
  if (scene.ghost) {
    draw(scene.ghost);
    ctx.save();
    ctx.globalCompositeOperation = 'destination-in';
    ctx.fillStyle = `rgb(0 0 0 / ${GHOST_ALPHA})`;
    ctx.fillRect(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT);
    ctx.restore();
  }
  if (scene.draft) paintDraft(ctx, scene, scene.draft, draw);
}

function paintDraft(ctx: OverlayContext, scene: OverlayScene, draft: TextDraft, draw: (op: Operation) => void) {
  const op = draftOperation(draft, scene.color, scene.fontSize);
  if (op) draw(op);
  if (!scene.caret) return;
  ctx.save();
  ctx.font = textFont(scene.fontSize);
  const x = draft.x + (op ? ctx.measureText(op.content).width : 0) + 1;
  ctx.strokeStyle = scene.color === '#FFFFFF' ? CARET_ON_WHITE : scene.color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(x, draft.y);
  ctx.lineTo(x, draft.y + scene.fontSize * 1.15);
  ctx.stroke();
  ctx.restore();
}
