import { describe, expect, it } from 'vitest';
import { listNames, nameColor, shortTime, typingLine } from './format';

describe('chat formatting', () => {
  it('says who is typing', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine(['alice'])).toBe('alice is typing…');
    expect(typingLine(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingLine(['a', 'b', 'c'])).toBe('3 people are typing…');
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
