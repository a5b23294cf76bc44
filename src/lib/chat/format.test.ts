import { describe, expect, it } from 'vitest';
import { listNames, nameColor, shortTime, typingLine } from './format';

describe('chat formatting', () => {
  it('says who is typing', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine(['alice'])).toBe('alice is typing…');
    expect(typingLine(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingLine(['a', 'b', 'c'])).toBe('3 people are typing…');
    expect(typingLine(['alice'], 'drawing')).toBe('alice is drawing…');
  });

  it('lists names', () => {
    expect(listNames(['alice'])).toBe('alice');
    expect(listNames(['alice', 'bob', 'carol'])).toBe('alice, bob and carol');
  });

  it('shows the date only for another day', () => {
    const now = new Date(2024, 2, 12, 15, 0).getTime();
    expect(shortTime(new Date(2024, 2, 12, 14, 5).getTime(), now)).not.toContain(',');
    expect(shortTime(new Date(2024, 2, 10, 14, 5).getTime(), now)).toContain(',');
  });

  it('gives each person a stable colour', () => {
    expect(nameColor(7)).toBe(nameColor(7));
    expect(nameColor(1)).not.toBe(nameColor(2));
  });
});

describe('name colours', () => {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };

  it('read at 4.5:1 or better on every background a name sits on', () => {
    for (let userId = 0; userId < 16; userId++) {
      for (const background of ['#ffffff', '#fffbe8', '#fcfbf6', '#fff3c4']) expect(contrast(nameColor(userId), background)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
