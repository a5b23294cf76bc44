import { describe, expect, it } from 'vitest';
import { placePopover } from './popover';

const viewport = { width: 390, height: 844 };
const size = { width: 300, height: 50 };

describe('popover placement', () => {
  it('opens below a button with room under it, right-aligned', () => {
    expect(placePopover({ top: 100, bottom: 130, left: 300, right: 330 }, size, viewport)).toEqual({ top: 134, left: 30 });
  });

  it('opens above a button near the bottom', () => {
    expect(placePopover({ top: 800, bottom: 830, left: 300, right: 330 }, size, viewport)).toEqual({ top: 746, left: 30 });
  });

  it('stays inside the viewport whatever the button does', () => {
    const placed = placePopover({ top: -40, bottom: -10, left: -50, right: 20 }, size, viewport);
    expect(placed.top).toBeGreaterThanOrEqual(0);
    expect(placed.left).toBeGreaterThanOrEqual(0);
    expect(placed.left + size.width).toBeLessThanOrEqual(viewport.width);
  });
});
