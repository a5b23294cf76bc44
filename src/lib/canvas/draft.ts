// Text typed at a cursor on the canvas, before Enter turns it into an operation.

import { CANVAS_HEIGHT, DRAWING_LIMITS, type FontSize, type PaletteColor, type TextOp } from '../protocol/drawing';
import { clampX, clampY, insideX } from './capture';
import type { Position } from './gestures';

export interface TextDraft {
  x: number;
  y: number;
  content: string;
}

// Control characters cannot be drawn (and the contract refuses them).
const CONTROL_CHARS = /[\u0000-\u001F\u007F]/g;

/** An empty draft whose line of text is centred on the click, kept on the canvas. */
export function draftAt(p: Position, fontSize: FontSize): TextDraft {
  const top = Math.min(CANVAS_HEIGHT - fontSize, Math.max(0, p.y - fontSize / 2));
  return { x: insideX(p.x), y: clampY(top), content: '' };
}

/** The operation the draft would add, or null while it holds nothing drawable. */
export function draftOperation(draft: TextDraft, color: PaletteColor, fontSize: FontSize): TextOp | null {
  const content = draft.content.replace(CONTROL_CHARS, '').slice(0, DRAWING_LIMITS.maxTextChars);
  if (content.trim() === '') return null;
  return { type: 'text', x: clampX(draft.x), y: clampY(draft.y), content, color, fontSize };
}
