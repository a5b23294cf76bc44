import type { Response } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from '../infra/redis.ts';

// Counting password attempts in Redis, shared by every server process. Sign-in, registration and
// room passwords build their rules from these parts (rateLimit.ts, roomAttempts.ts).

interface Count {
  /** Points used in the window, this attempt included. */
  used: number;
  /** Past the limit (used > points). */
  over: boolean;
  /** Until the window ends. */
  msLeft: number;
}

/** A fixed-window counter: `points` attempts per `seconds` for each key. */
export class AttemptCounter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    readonly prefix: string,
    readonly points: number,
    readonly seconds: number
  ) {
    // Not ready means refused at once rather than queued: the offline queue is off anyway.
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: prefix, points, duration: seconds, rejectIfRedisNotReady: true });
  }

  /** The Redis key holding `key`'s count. */
  redisKey(key: string): string {
    return this.limiter.getKey(key);
  }

  /** Counts one attempt; null when Redis could not be asked. */
  async take(key: string): Promise<Count | null> {
    try {
      const res = await this.limiter.consume(key);
      return { used: res.consumedPoints, over: false, msLeft: res.msBeforeNext };
    } catch (err) {
      // consume() rejects with a RateLimiterRes past the limit, with an Error when Redis failed.
      if (err instanceof RateLimiterRes) return { used: err.consumedPoints, over: true, msLeft: err.msBeforeNext };
      return null;
    }
  }

  async giveBack(key: string): Promise<void> {
    await this.limiter.reward(key, 1).catch(() => undefined);
  }

  async clear(key: string): Promise<void> {
    await this.limiter.delete(key).catch(() => undefined);
  }
}

export interface Slot {
  counter: AttemptCounter;
  key: string;
}

export interface AttemptRules {
  /** Each refuses the attempt once its count passes its points. */
  limits: Slot[];
  /**
   * A count over many sources (a username from every address, a room from every user). Past its
   * points it refuses only sources whose own slot (one of `limits`) shows an earlier attempt, so a
   * crowd of guessers slows each other down without ever turning away someone's first try.
   */
  crowd?: { slot: Slot; own: Slot };
  /** Slots wiped on success instead of given back (consecutive failures start again). */
  clearOnSuccess?: Slot[];
}

export interface Refusal {
  retryAfterSeconds: number;
}

export interface Attempt {
  /** The password was right: success costs nothing, so every count taken is given back. */
  succeeded(): Promise<void>;
  /** The password was wrong: the counts stay. */
  failed(): void;
  /** The attempt was never judged (the server was busy): every count is given back. */
  abandon(): Promise<void>;
}

export const isRefusal = (outcome: Attempt | Refusal): outcome is Refusal => 'retryAfterSeconds' in outcome;

/** Lets every attempt through: limits turned off. */
export const UNLIMITED: Attempt = { succeeded: async () => undefined, failed: () => undefined, abandon: async () => undefined };

/**
 * Counts an attempt BEFORE its password is checked, and gives the count back when it turns out
 * right (or is refused). What stays counted is exactly the wrong passwords, yet a burst of
 * parallel requests cannot slip past a limit while bcrypt is still deciding the first ones.
 * The limits are taken one after another, so an attempt refused by one never inflates the next
 * (a burst refused per minute must not also use up the longer per-name count). A counter Redis
 * cannot answer counts nothing: attempts go through and bcrypt stays the brake.
 */
export async function admit(rules: AttemptRules): Promise<Attempt | Refusal> {
  const taken: Slot[] = [];
  const giveBack = async () => {
    await Promise.all(taken.map((slot) => slot.counter.giveBack(slot.key)));
  };
  const refuse = async (msLeft: number): Promise<Refusal> => {
    await giveBack();
    return { retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  };

  const counts = new Map<Slot, Count>();
  for (const slot of rules.limits) {
    const count = await slot.counter.take(slot.key);
    if (!count) continue;
    taken.push(slot);
    counts.set(slot, count);
    if (count.over) return refuse(count.msLeft);
  }
  if (rules.crowd) {
    const { slot, own } = rules.crowd;
    const crowd = await slot.counter.take(slot.key);
    if (crowd) {
      taken.push(slot);
      const mine = counts.get(own);
      // `used` includes this attempt: more than one means this source tried before in the window.
      if (crowd.over && mine && mine.used > 1) return refuse(Math.min(crowd.msLeft, mine.msLeft));
    }
  }

  const clear = new Set(rules.clearOnSuccess ?? []);
  return {
    async succeeded() {
      await Promise.all(taken.map((slot) => (clear.has(slot) ? slot.counter.clear(slot.key) : slot.counter.giveBack(slot.key))));
    },
    failed() {},
    abandon: giveBack
  };
}

/** "45 seconds", "3 minutes", "2 hours": how long a refusal lasts, in words a person reads. */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/** Answers 429 with Retry-After and `{ error }` saying what happened and when to try again. */
export function answerTooMany(res: Response, refusal: Refusal, what: string): void {
  res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
  res.status(429).json({ error: `${what} Try again in ${waitInWords(refusal.retryAfterSeconds)}.` });
}

/**
 * The key for a client address. IPv6 counts per /64, the block one subscriber usually holds,
 * so stepping through its addresses does not buy fresh limits; IPv4-mapped addresses count as IPv4.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip.slice(0, 64);
  const address = ip.split('%')[0];
  const halves = address.split('::');
  if (halves.length > 2) return ip.slice(0, 64);
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  // A dotted IPv4 ending stands for two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(head) - width(tail);
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return ip.slice(0, 64);
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail].slice(0, 4);
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return ip.slice(0, 64);
  return `${groups.map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
