import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  DELETES_PER_SECOND,
  READS_PER_SOCKET,
  READS_PER_USER,
  READS_WINDOW_SECONDS,
  ROOM_SWITCHES_PER_MINUTE,
  SEND_INTERVAL_SECONDS
} from '../../src/lib/protocol/index.ts';
import type { Redis } from '../infra/redis.ts';
import { RATE_LIMIT_KEY_PREFIX, sendRateKey } from '../infra/keys.ts';
import { rateLimited } from './errors.ts';

// Abuse limits of the socket. Sending is one message a second per user, kept in Redis so it holds
// across tabs and server processes (text and drawings take it inside the store script; see
// storeMessage). Reactions have their own Redis window inside the reaction script. Reads, room
// switches and deletes are counted here with rate-limiter-flexible: per user in Redis (every tab
// and process together) and, for reads, also per socket in memory.

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

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Spends one point of `limiter` for `key`, or throws RATE_LIMITED with `message` and the wait.
 * When Redis cannot be reached the request goes on: it needs Redis itself and will fail with a
 * clear error there, and a limit is no reason to refuse service on its own.
 */
async function spend(limiter: RateLimiterAbstract, key: string | number, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(`${message}: try again in ${seconds(err.msBeforeNext)} s`);
  }
}

/** The per-user and per-socket limits of one server process, shared by all its sockets. */
export function createSocketLimits(redis: Redis) {
  const redisLimiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${RATE_LIMIT_KEY_PREFIX}:${name}`, points, duration });
  const readsPerUser = redisLimiter('reads', READS_PER_USER, READS_WINDOW_SECONDS);
  const readsPerSocket = new RateLimiterMemory({ points: READS_PER_SOCKET, duration: READS_WINDOW_SECONDS });
  const switches = redisLimiter('switches', ROOM_SWITCHES_PER_MINUTE, 60);
  const deletes = redisLimiter('deletes', DELETES_PER_SECOND, 1);

  return {
    /** A history read (join or older page): per socket, then per user. */
    async read(socketId: string, userId: number): Promise<void> {
      await spend(readsPerSocket, socketId, 'Too many history requests');
      await spend(readsPerUser, userId, 'Too many history requests');
    },
    /** A room:join or room:leave. */
    async switchRoom(userId: number): Promise<void> {
      await spend(switches, userId, 'You are switching rooms too often');
    },
    async remove(userId: number): Promise<void> {
      await spend(deletes, userId, 'Deleting too fast');
    }
  };
}

export type SocketLimits = ReturnType<typeof createSocketLimits>;

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
