// When the composer tells the room someone is typing: at the first key, again every few seconds
// while the typing goes on (the server forgets it after TYPING_EXPIRE_MS), and "stopped" after a
// pause, an emptied box, a send or leaving the box. Never one signal per key.

import { TYPING_EXPIRE_MS } from '../protocol/limits';

/** Re-announce this often while typing goes on, well before the server forgets. */
export const TYPING_REFRESH_MS = TYPING_EXPIRE_MS - 2000;
/** No key for this long means the person stopped typing. */
export const TYPING_IDLE_MS = 2500;

export interface TypingSignals {
  start(): void;
  stop(): void;
}

export class TypingThrottle {
  #signals: TypingSignals;
  #idleMs: number;
  /** When "typing" was last announced; null while not typing. */
  #announced: number | null = null;
  #idle: ReturnType<typeof setTimeout> | undefined;

  /** `idleMs`: how long without an edit counts as stopped (drawing pauses longer than typing). */
  constructor(signals: TypingSignals, idleMs = TYPING_IDLE_MS) {
    this.#signals = signals;
    this.#idleMs = idleMs;
  }

  /** After every edit, with whether the box still holds anything but spaces. */
  edited(hasWords: boolean): void {
    if (!hasWords) return this.stop();
    const now = Date.now();
    if (this.#announced === null || now - this.#announced > TYPING_REFRESH_MS) {
      this.#signals.start();
      this.#announced = now;
    }
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.stop(), this.#idleMs);
  }

  /** Typing is over (says so only if it was announced). */
  stop(): void {
    clearTimeout(this.#idle);
    if (this.#announced === null) return;
    this.#announced = null;
    this.#signals.stop();
  }
}
