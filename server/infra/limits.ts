import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  ACTIVITY_READS_PER_MINUTE,
  AVATAR_CHANGES_PER_HOUR,
  DELETES_PER_SECOND,
  FRIEND_ACTIONS_PER_MINUTE,
  FRIEND_REQUESTS_PER_HOUR,
  HISTORY_BYTES_PER_USER,
  HISTORY_PAGE_MAX_BYTES,
  INVITE_LOOKUPS_PER_MINUTE,
  LINK_TRIES_PER_CLIENT_PER_HOUR,
  MAILS_PER_ADDRESS_PER_HOUR,
  PASSWORD_CHANGE_FAILS,
  PASSWORD_CHANGE_WINDOW_SECONDS,
  READ_MARKS_PER_MINUTE,
  READS_PER_SOCKET,
  READS_PER_USER,
  ROOM_SEARCHES_PER_MINUTE,
  READS_WINDOW_SECONDS,
  REGISTRATIONS_PER_ADDRESS_PER_HOUR,
  RESET_REQUESTS_PER_CLIENT_PER_HOUR,
  ROOM_PASSWORD_FAILS_PER_ROOM,
  ROOM_PASSWORD_FAILS_PER_USER,
  ROOM_PASSWORD_WINDOW_SECONDS,
  ROOM_SWITCHES_PER_MINUTE,
  SETTINGS_WRITES_PER_MINUTE,
  SIGN_IN_DAILY_FACTOR,
  SIGN_IN_FAILS_PER_USERNAME,
  SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS,
  SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS,
  SIGN_IN_USERNAME_WINDOW_SECONDS,
  SOCKET_READ_UNSENT_BYTES,
  UPLOADS_PER_HOUR,
  RESET_MAILS_PER_ACCOUNT_PER_HOUR,
  VERIFY_MAILS_PER_ACCOUNT_PER_HOUR
} from '../../src/lib/protocol/index.ts';
import { unsentBytes } from './backpressure.ts';
import { rateLimited, type AppError } from './errors.ts';
import {
  AUTH_LIMIT_PREFIXES,
  FRIEND_LIMIT_PREFIXES,
  inviteLookupRateKey,
  MAIL_LIMIT_PREFIXES,
  PASSWORD_CHANGE_PREFIX,
  PROFILE_LIMIT_PREFIXES,
  RATE_LIMIT_KEY_PREFIX,
  ROOM_ATTEMPT_PREFIXES,
  ROOM_SEARCH_LIMIT_PREFIX,
  uploadRateKey
} from './keys.ts';
import type { Redis } from './redis.ts';
import type { AppSocket } from './socket.ts';

// Every limiter of the app (docs/architecture.md#abuse-limits). Three are counted inside Lua
// scripts because they must be taken in the same step as the write they guard: one message a
// second per user (the message store script), reactions per second (the reaction script) and
// sockets per user (presence's socket-slot script); their keys come from keys.ts, the reaction
// rate and the send refusal's words from here. Everything else is defined below:
//
// - password attempts (sign-in, registration, room passwords): fixed windows in Redis, counted
//   before bcrypt runs and given back when the password was right;
// - socket requests (history reads, room switches, deletes, room list reads, read marks): rate-limiter-flexible, per user in
//   Redis (every tab and process together) and, for reads, also per socket in memory;
// - per socket, in memory: typing events a second, requests in flight;
// - uploads per user per hour; profile pictures per user per hour, saved settings per minute.

// ---- Password attempts ----

interface Count {
  /** Points used in the window, this attempt included. */
  used: number;
  /** Past the limit (used > points). */
  over: boolean;
  /** Until the window ends. */
  msLeft: number;
}

/** A fixed-window counter: `points` attempts per `seconds` for each key. */
class AttemptCounter {
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

interface Slot {
  counter: AttemptCounter;
  key: string;
}

interface AttemptRules {
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
const UNLIMITED: Attempt = { succeeded: async () => undefined, failed: () => undefined, abandon: async () => undefined };

/**
 * Counts an attempt BEFORE its password is checked, and gives the count back when it turns out
 * right (or is refused). What stays counted is exactly the wrong passwords, yet a burst of
 * parallel requests cannot slip past a limit while bcrypt is still deciding the first ones.
 * The limits are taken one after another, so an attempt refused by one never inflates the next
 * (a burst refused per minute must not also use up the longer per-name count). A counter Redis
 * cannot answer counts nothing: attempts go through and bcrypt stays the brake.
 */
async function admit(rules: AttemptRules): Promise<Attempt | Refusal> {
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

/** The refusal as the user reads it: what happened and when to try again, with Retry-After. */
export function tooMany(refusal: Refusal, what: string): AppError {
  return rateLimited(`${what} Try again in ${waitInWords(refusal.retryAfterSeconds)}.`, refusal.retryAfterSeconds);
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

export interface AuthLimits {
  /** Before checking a sign-in's password; `username` as typed (names match in any case). */
  admitSignIn(ip: string | undefined, username: string): Promise<Attempt | Refusal>;
  /** Before creating an account from a valid request. */
  admitRegistration(ip: string | undefined): Promise<Attempt | Refusal>;
}

/**
 * Sign-in and registration limits, counted only once a request's body is valid (junk costs and
 * counts nothing) and, for sign-in, only when the password turns out wrong:
 *
 * - per address: `perMinute` wrong passwords a minute and ten times that a day, over any usernames;
 * - per username and address: 10 wrong in a row within an hour; a right one starts the count again;
 * - per username, over all addresses: past 20 wrong in 15 minutes, an address that already failed
 *   for the name waits, while an address that has not still gets its try. A guesser spread over
 *   many addresses gets one guess per address instead of ten, yet others' guesses never turn away
 *   the owner's first try from an address of their own, so nobody can lock a name they do not
 *   hold (an owner who mistypes during such a flood waits like the guessers, up to 15 minutes);
 * - registration: 10 valid attempts an hour per address (taken names included, so probing which
 *   names exist is slow too).
 *
 * Every limit is keyed by address or by name: one address flooding junk or wrong passwords never
 * refuses another address. Addresses are only right behind a proxy when TRUST_PROXY names it.
 * When Redis is away attempts go through: sign-in stays possible and bcrypt still slows guessing.
 */
export function createAuthLimits(redis: Redis, perMinute: number): AuthLimits {
  if (perMinute <= 0) return { admitSignIn: async () => UNLIMITED, admitRegistration: async () => UNLIMITED };
  const perAddressMinute = new AttemptCounter(redis, AUTH_LIMIT_PREFIXES.addressMinute, perMinute, 60);
  const perAddressDay = new AttemptCounter(redis, AUTH_LIMIT_PREFIXES.addressDay, perMinute * SIGN_IN_DAILY_FACTOR, 24 * 60 * 60);
  const perUsernameAndAddress = new AttemptCounter(
    redis,
    AUTH_LIMIT_PREFIXES.usernameAndAddress,
    SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS,
    SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS
  );
  const perUsername = new AttemptCounter(redis, AUTH_LIMIT_PREFIXES.username, SIGN_IN_FAILS_PER_USERNAME, SIGN_IN_USERNAME_WINDOW_SECONDS);
  const registrations = new AttemptCounter(redis, AUTH_LIMIT_PREFIXES.registrations, REGISTRATIONS_PER_ADDRESS_PER_HOUR, 60 * 60);

  return {
    admitSignIn(ip, username) {
      const address = addressKey(ip);
      const name = username.toLowerCase();
      const own = { counter: perUsernameAndAddress, key: `${name}|${address}` };
      return admit({
        limits: [{ counter: perAddressMinute, key: address }, { counter: perAddressDay, key: address }, own],
        crowd: { slot: { counter: perUsername, key: name }, own },
        clearOnSuccess: [own]
      });
    },

    admitRegistration(ip) {
      return admit({ limits: [{ counter: registrations, key: addressKey(ip) }] });
    }
  };
}

/**
 * Wrong room passwords, counted per user per room and per room; a right password gives its count
 * back. Both windows are ROOM_PASSWORD_WINDOW_SECONDS long.
 *
 * - A user gets ROOM_PASSWORD_FAILS_PER_USER wrong tries on a room per window, then waits.
 * - A room that took more than ROOM_PASSWORD_FAILS_PER_ROOM wrong tries in the window from all
 *   users together refuses further tries from users who themselves failed on it, while a user
 *   who has not tried yet still gets their try. So someone guessing from many accounts gets one
 *   guess per account per window, and a member who types the right password first time always
 *   gets in: refusing everybody would let a single guesser lock the room.
 *
 * Counting happens before bcrypt, so parallel guesses cannot slip past while the first are being
 * checked; guesses past a limit are refused without a bcrypt run.
 */
export function createRoomAttempts(redis: Redis) {
  const perUser = new AttemptCounter(redis, ROOM_ATTEMPT_PREFIXES.userInRoom, ROOM_PASSWORD_FAILS_PER_USER, ROOM_PASSWORD_WINDOW_SECONDS);
  const perRoom = new AttemptCounter(redis, ROOM_ATTEMPT_PREFIXES.room, ROOM_PASSWORD_FAILS_PER_ROOM, ROOM_PASSWORD_WINDOW_SECONDS);

  return {
    admit(roomId: string, userId: number): Promise<Attempt | Refusal> {
      const own = { counter: perUser, key: `${roomId}|${userId}` };
      return admit({ limits: [own], crowd: { slot: { counter: perRoom, key: roomId }, own }, clearOnSuccess: [own] });
    }
  };
}

export type RoomAttempts = ReturnType<typeof createRoomAttempts>;

// ---- Socket requests ----

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

/** What a sender past the one-message-a-second limit is told (the limit itself is in the store script). */
export const SEND_LIMIT_MESSAGE = 'Slow down: one message per second';

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Spends `points` (one unless told) of `limiter` for `key`, or throws RATE_LIMITED with `message` and the wait.
 * When Redis cannot be reached the request goes on: it needs Redis itself and will fail with a
 * clear error there, and a limit is no reason to refuse service on its own.
 */
async function spend(limiter: RateLimiterAbstract, key: string | number, message: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) return;
    // A refused spend of several points is given back: only what was let through counts.
    if (points > 1) await limiter.reward(key, points).catch(() => undefined);
    throw rateLimited(`${message}: try again in ${seconds(err.msBeforeNext)} s`);
  }
}

/**
 * The socket's request limits, one set per server process: per user in Redis, per socket in
 * memory (keyed by the socket object, so they go with it).
 */
export function createSocketLimits(redis: Redis) {
  const redisLimiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${RATE_LIMIT_KEY_PREFIX}:${name}`, points, duration });
  const readsPerUser = redisLimiter('reads', READS_PER_USER, READS_WINDOW_SECONDS);
  const readsPerSocket = new RateLimiterMemory({ points: READS_PER_SOCKET, duration: READS_WINDOW_SECONDS });
  const historyBytes = redisLimiter('history-bytes', HISTORY_BYTES_PER_USER, READS_WINDOW_SECONDS);
  const switches = redisLimiter('switches', ROOM_SWITCHES_PER_MINUTE, 60);
  const deletes = redisLimiter('deletes', DELETES_PER_SECOND, 1);
  const activityReads = redisLimiter('activity', ACTIVITY_READS_PER_MINUTE, 60);
  const readMarks = redisLimiter('read-marks', READ_MARKS_PER_MINUTE, 60);
  const typingWindows = perConnection(() => new LocalRateLimiter(TYPING_EVENTS_PER_SECOND));
  // Nobody waits in line: a socket past READS_IN_FLIGHT is refused at once.
  const readsInFlight = perConnection(() => new WorkGate(READS_IN_FLIGHT, 0, 'Too many requests at once: slow down'));

  return {
    /**
     * A history read (join or older page) is produced only for a socket that took what it was
     * sent before, and within the socket's and then the user's read rate.
     */
    async read(socket: AppSocket): Promise<void> {
      if (unsentBytes(socket) > SOCKET_READ_UNSENT_BYTES) throw rateLimited('Still sending you the last page: try again in a moment');
      await spend(readsPerSocket, socket.id, 'Too many history requests');
      await spend(readsPerUser, socket.data.user.id, 'Too many history requests');
    },
    /**
     * Holds back bytes of the user's history budget before a read: the largest page's, or what
     * is left when that is less (so the last of the budget can still be read). A page's size is
     * known only once it is read, and reads in parallel must not all pass on one budget.
     * Answers what was held back; `settleHistory` gives back the difference.
     */
    async reserveHistory(userId: number): Promise<number> {
      let left = HISTORY_PAGE_MAX_BYTES;
      try {
        const used = await historyBytes.get(userId);
        if (used) left = Math.max(1, Math.min(left, HISTORY_BYTES_PER_USER - used.consumedPoints));
      } catch {
        // Redis away: the spend below decides.
      }
      await spend(historyBytes, userId, 'You have loaded a lot of history just now', left);
      return left;
    },
    /** After `reserveHistory` held back `reserved`: what the page really weighed (0 when none was sent). */
    async settleHistory(userId: number, reserved: number, bytes: number): Promise<void> {
      const back = reserved - bytes;
      if (back === 0) return;
      await (back > 0 ? historyBytes.reward(userId, back) : historyBytes.penalty(userId, -back)).catch(() => undefined);
    },
    /** A room:join or room:leave. */
    async switchRoom(userId: number): Promise<void> {
      await spend(switches, userId, 'You are switching rooms too often');
    },
    async remove(userId: number): Promise<void> {
      await spend(deletes, userId, 'Deleting too fast');
    },
    /** A rooms:activity (the room list's summaries). */
    async activity(userId: number): Promise<void> {
      await spend(activityReads, userId, 'Too many room list requests');
    },
    /** A room:read. */
    async markRead(userId: number): Promise<void> {
      await spend(readMarks, userId, 'Marking rooms read too often');
    },
    /** A typing:start or typing:stop of this socket. */
    typing(socket: object): void {
      if (!typingWindows(socket).take()) throw rateLimited('Too many typing events: slow down');
    },
    /** Runs a read unless the socket already has READS_IN_FLIGHT in progress. */
    inFlight<T>(socket: object, work: () => Promise<T>): Promise<T> {
      return readsInFlight(socket).run(work);
    }
  };
}

export type SocketLimits = ReturnType<typeof createSocketLimits>;

/** A fixed one-second window counter for one socket. */
class LocalRateLimiter {
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

/**
 * Bounds how much of one kind of work runs at once: heavy work for the whole process (so a burst
 * of it cannot stall the event loop for everybody else), or one socket's requests. Work beyond `concurrent` waits its turn, in
 * order; beyond `waiting` it is refused with RATE_LIMITED. A finished slot is handed on only on
 * the next turn of the event loop (setImmediate), after the caller has sent what it produced, so
 * other people's events run in between two pieces of heavy work.
 */
export class WorkGate {
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly waiting: number,
    private readonly busyMessage: string
  ) {}

  /**
   * Runs `work` in a slot. `restMs` may keep the slot a while after the work has answered (its
   * result goes out at once): the pace of the next piece, for work measured by what it produced.
   */
  async run<T>(work: () => Promise<T>, restMs: (result: T) => number = () => 0): Promise<T> {
    if (this.#running >= this.concurrent) {
      if (this.#queue.length >= this.waiting) throw rateLimited(this.busyMessage);
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else this.#running += 1;
    let rest = 0;
    try {
      const result = await work();
      rest = restMs(result);
      return result;
    } finally {
      if (rest > 0) setTimeout(() => this.#release(), rest);
      else setImmediate(() => this.#release());
    }
  }

  #release(): void {
    const next = this.#queue.shift();
    // The slot passes straight to the next in line; otherwise it is free.
    if (next) next();
    else this.#running -= 1;
  }
}

/** One limiter per socket, made on first use and dropped with it. */
function perConnection<T>(make: () => T): (connection: object) => T {
  const made = new WeakMap<object, T>();
  return (connection) => {
    let limiter = made.get(connection);
    if (limiter === undefined) {
      limiter = make();
      made.set(connection, limiter);
    }
    return limiter;
  };
}

// ---- Uploads ----

const HOUR_SECONDS = 60 * 60;

/**
 * UPLOADS_PER_HOUR per user, counting every attempt (valid or not) in a fixed one-hour window
 * shared by all server processes. When Redis cannot be asked the upload goes on: messages cannot
 * be sent either, and the hourly cleanup still bounds the disk.
 */
export function createUploadLimit(redis: Redis) {
  return {
    async take(userId: number): Promise<void> {
      const key = uploadRateKey(userId);
      let count: number;
      try {
        const replies = await redis.multi().incr(key).expire(key, HOUR_SECONDS, 'NX').exec();
        count = Number(replies?.[0]?.[1]);
      } catch {
        return;
      }
      if (!(count > UPLOADS_PER_HOUR)) return;
      const ttl = await redis.ttl(key).catch(() => HOUR_SECONDS);
      throw rateLimited(`Too many uploads: at most ${UPLOADS_PER_HOUR} an hour. Try again later.`, Math.max(ttl, 1));
    }
  };
}

export type UploadLimit = ReturnType<typeof createUploadLimit>;

/**
 * INVITE_LOOKUPS_PER_MINUTE signed-out invite lookups per address, in a fixed one-minute window
 * shared by all server processes. When Redis cannot be asked the lookup goes on: it is one
 * indexed SQLite read.
 */
export function createInviteLookupLimit(redis: Redis) {
  return {
    async take(ip: string | undefined): Promise<void> {
      const key = inviteLookupRateKey(addressKey(ip));
      let count: number;
      try {
        const replies = await redis.multi().incr(key).expire(key, 60, 'NX').exec();
        count = Number(replies?.[0]?.[1]);
      } catch {
        return;
      }
      if (!(count > INVITE_LOOKUPS_PER_MINUTE)) return;
      const ttl = await redis.ttl(key).catch(() => 60);
      throw rateLimited('Too many invite links opened. Wait a minute and try again.', Math.max(ttl, 1));
    }
  };
}

export type InviteLookupLimit = ReturnType<typeof createInviteLookupLimit>;

// ---- Account email and passwords (docs/architecture.md#email-and-password-resets) ----

/**
 * Wrong current passwords when changing a password: PASSWORD_CHANGE_FAILS per account per window,
 * counted before bcrypt and given back when the password was right. Always on (unlike sign-in's
 * AUTH_RATE_LIMIT): only a stolen session would ever need more.
 */
export function createPasswordChangeAttempts(redis: Redis) {
  const perAccount = new AttemptCounter(redis, PASSWORD_CHANGE_PREFIX, PASSWORD_CHANGE_FAILS, PASSWORD_CHANGE_WINDOW_SECONDS);
  return {
    admit: (userId: number): Promise<Attempt | Refusal> => admit({ limits: [{ counter: perAccount, key: String(userId) }] })
  };
}

export type PasswordChangeAttempts = ReturnType<typeof createPasswordChangeAttempts>;

/**
 * `points` per key in a fixed window of `seconds` shared by every process; null when there is
 * room. When Redis cannot be asked the action goes on: what these guard is bounded elsewhere too.
 */
function windowCount(redis: Redis, prefix: string, points: number, seconds: number) {
  return async (key: string): Promise<Refusal | null> => {
    const redisKey = `${prefix}:${key}`;
    let count: number;
    try {
      const replies = await redis.multi().incr(redisKey).expire(redisKey, seconds, 'NX').exec();
      count = Number(replies?.[0]?.[1]);
    } catch {
      return null;
    }
    if (!(count > points)) return null;
    const ttl = await redis.ttl(redisKey).catch(() => seconds);
    return { retryAfterSeconds: Math.max(ttl, 1) };
  };
}

const hourlyCount = (redis: Redis, prefix: string, points: number) => windowCount(redis, prefix, points, HOUR_SECONDS);

/**
 * What the mail flows count, each in an hour: mails to one address (whoever asks, so a stranger
 * cannot flood an inbox, and a refusal says nothing about whose address it is), verification mails
 * an account asks for, reset mails an account is sent (whatever its address), forgot-password
 * requests and link tries from one client address. Addresses count without case.
 */
export function createMailLimits(redis: Redis) {
  return {
    toAddress: (email: string) => hourlyCount(redis, MAIL_LIMIT_PREFIXES.address, MAILS_PER_ADDRESS_PER_HOUR)(email.toLowerCase()),
    verifyFor: (userId: number) => hourlyCount(redis, MAIL_LIMIT_PREFIXES.verifyAccount, VERIFY_MAILS_PER_ACCOUNT_PER_HOUR)(String(userId)),
    resetFor: (userId: number) => hourlyCount(redis, MAIL_LIMIT_PREFIXES.resetAccount, RESET_MAILS_PER_ACCOUNT_PER_HOUR)(String(userId)),
    resetFrom: (ip: string | undefined) => hourlyCount(redis, MAIL_LIMIT_PREFIXES.resetClient, RESET_REQUESTS_PER_CLIENT_PER_HOUR)(addressKey(ip)),
    linkFrom: (ip: string | undefined) => hourlyCount(redis, MAIL_LIMIT_PREFIXES.linkClient, LINK_TRIES_PER_CLIENT_PER_HOUR)(addressKey(ip))
  };
}

export type MailLimits = ReturnType<typeof createMailLimits>;
/**
 * ROOM_SEARCHES_PER_MINUTE room searches per user, in a fixed one-minute window shared by all server
 * processes (docs/architecture.md#public-rooms). When Redis cannot be asked the search goes on: it
 * is one bounded database read.
 */
export function createRoomSearchLimit(redis: Redis) {
  const perUser = windowCount(redis, ROOM_SEARCH_LIMIT_PREFIX, ROOM_SEARCHES_PER_MINUTE, 60);
  return {
    async take(userId: number): Promise<void> {
      const refusal = await perUser(String(userId));
      if (refusal) throw rateLimited('Too many searches. Wait a minute and try again.', refusal.retryAfterSeconds);
    }
  };
}

export type RoomSearchLimit = ReturnType<typeof createRoomSearchLimit>;

/**
 * Friend requests per user per hour and other friend actions per user per minute
 * (docs/architecture.md#friends-and-direct-messages), in fixed windows shared by all processes.
 * When Redis cannot be asked the action goes on: each is a few indexed database statements.
 */
export function createFriendLimits(redis: Redis) {
  const requests = windowCount(redis, FRIEND_LIMIT_PREFIXES.requests, FRIEND_REQUESTS_PER_HOUR, HOUR_SECONDS);
  const actions = windowCount(redis, FRIEND_LIMIT_PREFIXES.actions, FRIEND_ACTIONS_PER_MINUTE, 60);
  const take = async (count: ReturnType<typeof windowCount>, userId: number, message: string) => {
    const refusal = await count(String(userId));
    if (refusal) throw rateLimited(message, refusal.retryAfterSeconds);
  };
  return {
    request: (userId: number) => take(requests, userId, `Too many friend requests: at most ${FRIEND_REQUESTS_PER_HOUR} an hour. Try again later.`),
    action: (userId: number) => take(actions, userId, 'Too many changes to your friends. Wait a minute and try again.')
  };
}

export type FriendLimitsGuard = ReturnType<typeof createFriendLimits>;

// ---- Profiles ----

/**
 * AVATAR_CHANGES_PER_HOUR new or removed profile pictures per user (each new one is decoded and
 * re-encoded), and SETTINGS_WRITES_PER_MINUTE saved settings per user; fixed windows shared by
 * all server processes (docs/architecture.md#profiles).
 */
export function createProfileLimits(redis: Redis) {
  const avatars = windowCount(redis, PROFILE_LIMIT_PREFIXES.avatar, AVATAR_CHANGES_PER_HOUR, HOUR_SECONDS);
  const settings = windowCount(redis, PROFILE_LIMIT_PREFIXES.settings, SETTINGS_WRITES_PER_MINUTE, 60);
  return {
    async takeAvatar(userId: number): Promise<void> {
      const refusal = await avatars(String(userId));
      if (!refusal) return;
      const wait = refusal.retryAfterSeconds;
      throw rateLimited(`Too many picture changes: at most ${AVATAR_CHANGES_PER_HOUR} an hour. Try again in ${waitInWords(wait)}.`, wait);
    },
    async takeSettings(userId: number): Promise<void> {
      const refusal = await settings(String(userId));
      if (refusal) throw rateLimited(`Too many settings changes. Try again in ${waitInWords(refusal.retryAfterSeconds)}.`, refusal.retryAfterSeconds);
    }
  };
}

export type ProfileLimits = ReturnType<typeof createProfileLimits>;

/** Profile pictures decoded at once in one process: each may take a hundred megabytes or more while it runs. */
export const AVATAR_ENCODES_AT_ONCE = 2;
/** Pictures waiting for a slot before more are refused with RATE_LIMITED. */
export const AVATAR_ENCODES_WAITING = 16;

/** Bounds the memory and CPU that re-encoding profile pictures takes from everybody else. */
export function createAvatarEncodeGate(): WorkGate {
  return new WorkGate(AVATAR_ENCODES_AT_ONCE, AVATAR_ENCODES_WAITING, 'Many pictures are being saved right now; try again in a moment');
}
