import { describe, expect, it } from 'vitest';
import { historyShortcut, type KeyPress } from './shortcuts';

const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods
});

describe('history shortcuts', () => {
  it('undo with Ctrl+Z or Cmd+Z', () => {
    expect(historyShortcut(press('z', { ctrlKey: true }))).toBe('undo');
    expect(historyShortcut(press('z', { metaKey: true }))).toBe('undo');
  });

  it('redo with Shift added (the key then reads "Z"), or with Ctrl+Y', () => {
    expect(historyShortcut(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(historyShortcut(press('y', { ctrlKey: true }))).toBe('redo');
    expect(historyShortcut(press('Y', { ctrlKey: true, shiftKey: true }))).toBeNull();
  });

  it('leave plain letters and Alt combinations alone', () => {
    expect(historyShortcut(press('z'))).toBeNull();
    expect(historyShortcut(press('z', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(historyShortcut(press('x', { ctrlKey: true }))).toBeNull();
  });
});
