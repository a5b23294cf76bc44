import { describe, expect, it } from 'vitest';
import { dayLabel, GROUP_WINDOW_MS, placeItems } from './grouping';

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();
const now = at(2026, 3, 12, 18);

describe('feed grouping', () => {
  it('names days the way people say them', () => {
    expect(dayLabel(at(2026, 3, 12, 9), now)).toBe('Today');
    expect(dayLabel(at(2026, 3, 11, 23, 59), now)).toBe('Yesterday');
    expect(dayLabel(at(2026, 3, 10), now)).toContain('10');
    expect(dayLabel(at(2025, 12, 31), now)).toContain('2025');
  });

  it('groups one author within the window, and starts again for another author, a gap or a notice', () => {
    const t = at(2026, 3, 12, 10);
    const placed = placeItems(
      [
        { userId: 1, timestamp: t },
        { userId: 1, timestamp: t + 60_000 },
        { userId: 2, timestamp: t + 120_000 },
        { userId: 2, timestamp: t + 120_000 + GROUP_WINDOW_MS + 1 },
        { userId: null, timestamp: t + 120_000 + GROUP_WINDOW_MS + 2 },
        { userId: 2, timestamp: t + 120_000 + GROUP_WINDOW_MS + 3 }
      ],
      now
    );
    expect(placed.map((p) => p.grouped)).toEqual([false, true, false, false, false, false]);
    expect(placed.map((p) => p.day)).toEqual(['Today', null, null, null, null, null]);
  });

  it('puts a day line where the day changes and never groups across it', () => {
    const placed = placeItems(
      [
        { userId: 1, timestamp: at(2026, 3, 11, 23, 58) },
        { userId: 1, timestamp: at(2026, 3, 12, 0, 1) }
      ],
      now
    );
    expect(placed).toEqual([
      { day: 'Yesterday', grouped: false },
      { day: 'Today', grouped: false }
    ]);
  });
});
