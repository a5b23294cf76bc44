import { describe, expect, it } from 'vitest';
import { CANVAS_HEIGHT, CANVAS_WIDTH, DRAWING_LIMITS, textOpSchema } from '../protocol/drawing';
import { draftAt, draftOperation } from './draft';

describe('a text cursor', () => {
  it('centres the line of text on the click', () => {
    expect(draftAt({ x: 100.8, y: 50 }, 20)).toEqual({ x: 100, y: 40, content: '' });
  });

  it('keeps the whole line on the canvas', () => {
    expect(draftAt({ x: -4, y: 2 }, 24)).toEqual({ x: 0, y: 0, content: '' });
    expect(draftAt({ x: 700, y: CANVAS_HEIGHT + 30 }, 24)).toEqual({ x: CANVAS_WIDTH - 1, y: CANVAS_HEIGHT - 24, content: '' });
  });
});

describe('the operation a draft becomes', () => {
  it('carries the text, colour and font size', () => {
    const op = draftOperation({ x: 10, y: 20, content: 'Hi bee' }, '#000080', 24);
    expect(op).toEqual({ type: 'text', x: 10, y: 20, content: 'Hi bee', color: '#000080', fontSize: 24 });
    expect(textOpSchema.safeParse(op).success).toBe(true);
  });

  it('is nothing while only spaces have been typed', () => {
    expect(draftOperation({ x: 10, y: 20, content: '' }, '#000000', 16)).toBeNull();
    expect(draftOperation({ x: 10, y: 20, content: '   ' }, '#000000', 16)).toBeNull();
  });

  it('drops control characters and stops at the contract’s length', () => {
    const op = draftOperation({ x: 0, y: 0, content: `a\tb\u0007c${'x'.repeat(300)}` }, '#000000', 16);
    expect(op?.content.startsWith('abc')).toBe(true);
    expect(op?.content).toHaveLength(DRAWING_LIMITS.maxTextChars);
    expect(textOpSchema.safeParse(op).success).toBe(true);
  });
});
