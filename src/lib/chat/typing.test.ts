import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_EXPIRE_MS } from '../protocol/limits';
import { TYPING_IDLE_MS, TYPING_REFRESH_MS, TypingThrottle } from './typing';

function setup() {
  const signals: string[] = [];
  const typing = new TypingThrottle({ start: () => signals.push('start'), stop: () => signals.push('stop') });
  return { typing, signals };
}

describe('typing signals', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('announce typing at the first key, not at every key', () => {
    const { typing, signals } = setup();
    for (let i = 0; i < 10; i++) {
      typing.edited(true);
      vi.advanceTimersByTime(100);
    }
    expect(signals).toEqual(['start']);
  });

  it('announce again while typing goes on, before the server forgets', () => {
    expect(TYPING_REFRESH_MS).toBeLessThan(TYPING_EXPIRE_MS);
    const { typing, signals } = setup();
    const keyEvery = 500;
    for (let t = 0; t <= TYPING_REFRESH_MS + keyEvery; t += keyEvery) {
      typing.edited(true);
      vi.advanceTimersByTime(keyEvery);
    }
    expect(signals).toEqual(['start', 'start']);
  });

  it('stop after a pause, and start again at the next key', () => {
    const { typing, signals } = setup();
    typing.edited(true);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(signals).toEqual(['start']);
    vi.advanceTimersByTime(1);
    expect(signals).toEqual(['start', 'stop']);
    typing.edited(true);
    expect(signals).toEqual(['start', 'stop', 'start']);
  });

  it('stop at once when the box is emptied, and only once', () => {
    const { typing, signals } = setup();
    typing.edited(true);
    typing.edited(false);
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    expect(signals).toEqual(['start', 'stop']);
  });

  it('say nothing when stopped without having started', () => {
    const { typing, signals } = setup();
    typing.stop();
    typing.edited(false);
    expect(signals).toEqual([]);
  });

  it('a send (or leaving the box) stops typing and cancels the pending pause', () => {
    const { typing, signals } = setup();
    typing.edited(true);
    typing.stop();
    vi.advanceTimersByTime(TYPING_IDLE_MS * 2);
    expect(signals).toEqual(['start', 'stop']);
  });
});
