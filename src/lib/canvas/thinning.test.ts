import { describe, expect, it } from 'vitest';
import { isFarEnough, MIN_POINT_DISTANCE, thinPoints } from './thinning';

describe('point thinning', () => {
  it('skips points closer than 2 px to the last kept point', () => {
    const points = [
      { x: 0, y: 0 },
      { x: 1, y: 1 }, // 1.41 px: skipped
      { x: 1.9, y: 0 }, // 1.9 px: skipped
      { x: 2, y: 0 }, // exactly 2 px: kept
      { x: 3, y: 0.5 }, // 1.12 px from (2, 0): skipped
      { x: 10, y: 10 }
    ];
    expect(thinPoints(points)).toEqual([
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 10, y: 10 }
    ]);
  });

  it('measures from the last kept point, so slow drags still advance', () => {
    // 1 px steps: every second one is 2 px from the last kept point.
    const slow = Array.from({ length: 11 }, (_, i) => ({ x: i, y: 0 }));
    expect(thinPoints(slow).map((p) => p.x)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('keeps extra fields such as pressure', () => {
    const kept = thinPoints([
      { x: 0, y: 0, pressure: 0.2 },
      { x: 5, y: 0, pressure: 0.9 }
    ]);
    expect(kept[1].pressure).toBe(0.9);
  });

  it('keeps a single point and returns nothing for nothing', () => {
    expect(thinPoints([{ x: 3, y: 4 }])).toEqual([{ x: 3, y: 4 }]);
    expect(thinPoints([])).toEqual([]);
  });

  it('uses the 2 px threshold by default', () => {
    expect(MIN_POINT_DISTANCE).toBe(2);
    expect(isFarEnough({ x: 0, y: 0 }, { x: 0, y: 1.99 })).toBe(false);
    expect(isFarEnough({ x: 0, y: 0 }, { x: 0, y: 2 })).toBe(true);
    expect(isFarEnough({ x: 0, y: 0 }, { x: 0, y: 3 }, 4)).toBe(false);
  });
});
