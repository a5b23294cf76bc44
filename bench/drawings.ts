import { drawingBytes } from '../src/lib/canvas/budget.ts';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, drawingSchema, packDrawing, type Drawing, type Operation } from '../src/lib/protocol/index.ts';
import { handDrawn, handStroke, random } from '../tests/support/drawings.ts';

// Typical drawings as the editor makes them (tests/support/drawings.ts: pointer samples through the
// editor's own StrokeBuilder), packed as the editor sends them and checked with the contract.

export interface SampleDrawing {
  name: string;
  description: string;
  /** As sent and stored: strokes packed. */
  drawing: Drawing;
  /** The same drawing with every point spelled out, as it was sent and stored before packing. */
  unpacked: { operations: Operation[]; width: number; height: number };
  strokes: number;
  points: number;
}

function sample(name: string, description: string, operations: Operation[]): SampleDrawing {
  // The same check the server makes: a drawing the contract refuses measures nothing.
  const drawing = drawingSchema.parse(packDrawing(operations));
  return {
    name,
    description,
    drawing,
    unpacked: { operations, width: CANVAS_WIDTH, height: CANVAS_HEIGHT },
    strokes: operations.length,
    points: operations.reduce((n, op) => n + (op.type === 'stroke' ? op.points.length : 0), 0)
  };
}

export function doodle(): SampleDrawing {
  return sample('doodle', '10 mouse strokes of 60-300 px', handDrawn(1, 10, [60, 300], 'mouse'));
}

export function sketch(): SampleDrawing {
  return sample('sketch', '200 pen strokes of 20-160 px with pressure', handDrawn(2, 200, [20, 160], 'pen'));
}

export function sampleDrawings(): SampleDrawing[] {
  return [doodle(), sketch()];
}

/**
 * A drawing of about `targetBytes` as sent, within the contract's budgets: long pen strokes (as a
 * patient artist would make) through the same StrokeBuilder, which stops at the limits, then lines
 * of text, since packed strokes reach the point limit at about 90 KB.
 */
export function largeDrawing(seed: number, targetBytes: number): SampleDrawing {
  const next = random(seed);
  const operations: Operation[] = [];
  while (drawingBytes(operations) < targetBytes && operations.length < DRAWING_LIMITS.maxOperations) {
    const op = handStroke(next, [400, 1600], 'pen', operations);
    if (!op || op.type !== 'stroke' || op.points.length < 2) break;
    operations.push(op);
  }
  const line = (i: number): Operation => ({
    type: 'text',
    x: (i * 37) % CANVAS_WIDTH,
    y: (i * 13) % CANVAS_HEIGHT,
    content: `${seed}.${i} `.padEnd(DRAWING_LIMITS.maxTextChars, 'abcdefghij'),
    color: '#000000',
    fontSize: 12
  });
  for (let i = 0; operations.length < DRAWING_LIMITS.maxOperations; i++) {
    const text = line(i);
    if (drawingBytes([...operations, text]) > Math.min(targetBytes, DRAWING_LIMITS.maxSerializedBytes)) break;
    operations.push(text);
  }
  return sample(`large-${seed}`, `pen strokes and text up to ${targetBytes} bytes`, operations);
}
