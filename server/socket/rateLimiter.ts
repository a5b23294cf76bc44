import { SEND_INTERVAL_SECONDS } from '../../src/lib/protocol/index.ts';
import type { Redis } from '../redis/index.ts';
import { sendRateKey } from '../redis/keys.ts';

// Abuse limits. Sending is the plan's one message a second per user, kept in Redis so it holds
// across tabs and server processes (text and drawings take it inside the store script; see
// storeMessage). Reactions have their own Redis window; typing and reads are limited per socket
// in memory, which costs nothing per event.

/** Reactions a user may add or remove per second, over all tabs. */
export const REACTIONS_PER_SECOND = 10;
/** typing:start / typing:stop per socket per second: far above what a typing client sends. */
export const TYPING_EVENTS_PER_SECOND = 20;
/**
 * room:join / room:leave / room:history-older a socket may have in progress at once. A client
 * scrolling through history asks page after page as fast as answers come; one flooding the server
 * with requests in parallel is refused beyond this.
 */
export const READS_IN_FLIGHT = 4;

export const SEND_LIMIT_MESSAGE = 'Slow down: one message per second';

/** Takes the user's send for this second; false when it is already spent. */
export async function checkRateLimit(redis: Redis, userId: number): Promise<boolean> {
  return (await redis.set(sendRateKey(userId), '1', 'EX', SEND_INTERVAL_SECONDS, 'NX')) === 'OK';
}

/** A fixed one-second window counter for one socket. */
export class LocalRateLimiter {
  #windowStart = 0;
  #count = 0;

  constructor(private readonly perSecond: number) {}

  take(now = Date.now()): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    this.#count += 1;
    return this.#count <= this.perSecond;
  }
}

/** Bounds how many requests of one socket run at the same time. */
export class InFlightLimiter {
  #running = 0;

  constructor(private readonly max: number) {}

  /** Runs `work` unless the socket already has `max` in progress (then null, without running it). */
  async run<T>(work: () => Promise<T>): Promise<T | null> {
    if (this.#running >= this.max) return null;
    this.#running += 1;
    try {
      return await work();
    } finally {
      this.#running -= 1;
    }
  }
}
