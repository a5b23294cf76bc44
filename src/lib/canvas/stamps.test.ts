import { describe, expect, it } from 'vitest';
import { BRUSH_SIZES, STAMP_IDS } from '../protocol/drawing';
import { STAMP_BOX, STAMPS, stampPixelSize } from './stamps';

// Path data is checked by reading it the way a canvas would: command letters with the right
// number of arguments, every end point inside the 24 x 24 box.
const ARITY: Record<string, number> = { M: 2, L: 2, H: 1, V: 1, Q: 4, C: 6, A: 7, Z: 0 };

function parse(d: string): { command: string; args: number[] }[] {
  const tokens = d.match(/[A-Za-z]|-?\d*\.?\d+/g) ?? [];
  const out: { command: string; args: number[] }[] = [];
  for (const token of tokens) {
    if (/[A-Za-z]/.test(token)) out.push({ command: token, args: [] });
    else out[out.length - 1].args.push(Number(token));
  }
  return out;
}

describe('stamps', () => {
  it('has at least 24 stamps, one shape and a label for every stamp id', () => {
    expect(STAMP_IDS.length).toBeGreaterThanOrEqual(24);
    expect(Object.keys(STAMPS).sort()).toEqual([...STAMP_IDS].sort());
    const labels = STAMP_IDS.map((id) => STAMPS[id].label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label.trim()).not.toBe('');
  });

  it.each(STAMP_IDS)('%s is well-formed path data inside the box', (id) => {
    const { d, rule } = STAMPS[id];
    expect(['nonzero', 'evenodd']).toContain(rule);
    expect(d).toMatch(/^M/);
    expect(d).toMatch(/Z$/);
    const commands = parse(d);
    expect(commands.length).toBeGreaterThan(2);
    for (const { command, args } of commands) {
      // Absolute commands only, so every number below is a real position.
      expect(Object.keys(ARITY)).toContain(command);
      const arity = ARITY[command];
      if (arity === 0) expect(args).toHaveLength(0);
      else {
        expect(args.length % arity).toBe(0);
        expect(args.length).toBeGreaterThan(0);
      }
      for (const n of args) expect(Number.isFinite(n)).toBe(true);
      const ends: number[] =
        command === 'H' || command === 'V' ? args : command === 'A' ? args.slice(5, 7) : args.slice(-2);
      for (const n of ends) {
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(STAMP_BOX);
      }
    }
  });

  it('no two stamps share a shape', () => {
    const shapes = STAMP_IDS.map((id) => STAMPS[id].d);
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it('grows with the brush size', () => {
    const sizes = BRUSH_SIZES.map(stampPixelSize);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
    expect(sizes[0]).toBeGreaterThanOrEqual(12);
  });
});
