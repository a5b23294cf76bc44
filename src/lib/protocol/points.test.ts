import { describe, expect, it } from 'vitest';
import { POINT_BOUNDS } from './drawing';
import { PackedSize, packedPointCount, packPoints, unpackPoints, type PackedPoint } from './points';

/** Unpadded base64 of raw bytes, to hand-make packed strokes good and bad. */
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
const unpack = (text: string) => unpackPoints(text, POINT_BOUNDS);
const problem = (text: string) => {
  const result = unpack(text);
  return result.ok ? null : result.problem;
};

const mouse: PackedPoint[] = [
  { x: 10, y: 20, pressure: 0.5 },
  { x: 12.5, y: 21.3, pressure: 0.5 },
  { x: 600, y: 199.9, pressure: 0.5 },
  { x: -100, y: -100, pressure: 0.5 }
];
const pen: PackedPoint[] = [
  { x: 300, y: 100, pressure: 0.1 },
  { x: 301.1, y: 99.9, pressure: 0.55 },
  { x: 700, y: 300, pressure: 1 },
  { x: 0, y: 0, pressure: 0 }
];

describe('packed points', () => {
  it('unpack to exactly the points packed, with or without varying pressure', () => {
    for (const points of [mouse, pen]) expect(unpack(packPoints(points))).toEqual({ ok: true, points });
  });

  it('say the pressure once when it does not change', () => {
    // count, pressure 50, constant, then the first point (100, 200 tenths: 2 bytes each) and one step of (1, 2) tenths.
    const two = packPoints([{ x: 10, y: 20, pressure: 0.5 }, { x: 10.1, y: 20.2, pressure: 0.5 }]);
    expect(Buffer.from(two, 'base64')).toEqual(Buffer.from([2, 50, 0, 0xc8, 0x01, 0x90, 0x03, 2, 4]));
    expect(unpack(b64([2, 50, 0, 0xc8, 0x01, 0x90, 0x03, 2, 4]))).toEqual({
      ok: true,
      points: [{ x: 10, y: 20, pressure: 0.5 }, { x: 10.1, y: 20.2, pressure: 0.5 }]
    });
  });

  it('are a few bytes a point where the old form spelled out about 37', () => {
    const walk = Array.from({ length: 400 }, (_, i) => ({ x: 100 + i * 0.9, y: 100 + Math.sin(i / 9) * 50, pressure: 0.5 }));
    expect(packPoints(walk).length / walk.length).toBeLessThan(4);
  });

  it('count their points from the first bytes', () => {
    expect(packedPointCount(packPoints(pen))).toBe(4);
    expect(packedPointCount('*')).toBe(0);
  });

  it('measure as they grow exactly what packing them gives', () => {
    for (const points of [mouse, pen]) {
      const size = new PackedSize();
      points.forEach((p, i) => {
        expect(size.charsWith(p)).toBe(packPoints(points.slice(0, i + 1)).length);
        size.add(p);
      });
      expect(size.chars).toBe(packPoints(points).length);
    }
  });
});

describe('packed points refuse', () => {
  const good = packPoints(pen);

  it('anything that is not unpadded base64 of the standard alphabet', () => {
    expect(problem(`${good.slice(0, -1)}*`)).toMatch(/base64/);
    expect(problem(`${good}=`)).toMatch(/base64/);
    expect(problem(`${good.slice(0, -1)}-`)).toMatch(/base64/);
    expect(problem(`${good.slice(0, 4)} ${good.slice(4)}`)).toMatch(/base64/);
    expect(problem(`${good}A`)).not.toBeNull(); // a length no byte string has, or stray bytes
    expect(problem('é'.repeat(8))).toMatch(/base64/);
    // Two spellings of one byte: the second leaves non-zero bits after the last byte.
    expect(problem(b64([2, 50, 0, 0, 0, 2, 2]).slice(0, -1) + 'B')).not.toBeNull();
  });

  it('varints cut short, longer than three bytes, or not in their shortest spelling', () => {
    expect(problem(b64([2, 50]))).toMatch(/cut short/);
    expect(problem(b64([2, 50, 0, 0, 0, 0x82]))).toMatch(/cut short/);
    expect(problem(b64([0x82, 0x80, 0x80, 0x00, 50, 0, 0, 0, 2, 2]))).toMatch(/cut short/);
    expect(problem(b64([0x82, 0x00, 50, 0, 0, 0, 2, 2]))).toMatch(/cut short/);
    expect(problem(b64([2, 50, 0, 0x80, 0x00, 0, 2, 2]))).toMatch(/malformed/);
  });

  it('bytes after the last point', () => {
    expect(problem(b64([2, 50, 0, 0, 0, 2, 2, 0]))).toMatch(/after the last point/);
  });

  it('fewer than two points, or more than a drawing may hold', () => {
    expect(problem(b64([1, 50, 0, 0, 0]))).toMatch(/at least two/);
    expect(problem(b64([0, 50, 0]))).toMatch(/at least two/);
    // 20,001 points announced: refused before reading (or allocating) any of them.
    expect(problem(b64([0xa1, 0x9c, 0x01, 50, 0, 0, 0]))).toMatch(/at most 20000 points/);
    // Many points announced, few bytes given.
    expect(problem(b64([0xd0, 0x0f, 50, 0, 0, 0, 2, 2]))).toMatch(/cut short/);
  });

  it('points that wander off the canvas step by step, and pressure outside 0..1 or its flag', () => {
    // From 0, a step of +7001 tenths in x (700.1 px), then of -1001 tenths in y (-100.1 px): past the margin.
    expect(problem(b64([2, 50, 0, 0, 0, 0xb2, 0x6d, 0]))).toMatch(/too far off/);
    expect(problem(b64([2, 50, 0, 0, 0, 0, 0xd1, 0x0f]))).toMatch(/too far off/);
    expect(problem(b64([2, 50, 0, 0, 0, 0xb0, 0x6d, 0]))).toBeNull(); // exactly 700 px is allowed
    expect(problem(b64([2, 101, 0, 0, 0, 2, 2]))).toMatch(/Pressure/);
    expect(problem(b64([2, 100, 1, 0, 0, 2, 2, 2]))).toMatch(/Pressure/); // 100 + 1
    expect(problem(b64([2, 0, 1, 0, 0, 2, 2, 1]))).toMatch(/Pressure/); // 0 - 1
    expect(problem(b64([2, 50, 2, 0, 0, 2, 2]))).toMatch(/pressure flag/);
  });
});
