import bcrypt from 'bcrypt';
import { AppError } from './errors.ts';

// Account and room passwords share one cost; the async API keeps the event loop free.
const BCRYPT_COST = 10;

/**
 * Whose password a bcrypt run is for. Each lane has its own waiting line and its own cap on
 * running work, so a crowd guessing room passwords cannot keep sign-ins waiting, nor the reverse.
 */
export type PasswordLane = 'account' | 'room';

export interface LaneSettings {
  /** At most this many of the pool's slots at once. */
  maxRunning: number;
  /** At most this many waiting; one more is refused at once with PasswordsBusyError. */
  maxWaiting: number;
}

/** Answered 503 with a short Retry-After: the waiting line for password checks is full. */
export class PasswordsBusyError extends AppError {
  constructor() {
    super('UNAVAILABLE', 'The server is busy checking passwords. Try again in a moment.', { retryAfterSeconds: 1 });
    this.name = 'PasswordsBusyError';
  }
}

interface Lane {
  settings: LaneSettings;
  running: number;
  waiting: (() => void)[];
  /** bcrypt runs started in this lane since the process began. */
  started: number;
}

/**
 * A semaphore over bcrypt. Each run occupies a thread of libuv's small pool (4 by default, shared
 * with file and DNS work) for tens of milliseconds; without a bound, hundreds of concurrent guesses
 * line up there and every other user's sign-in waits behind them.
 */
export class BcryptPool {
  private running = 0;
  private readonly lanes: Record<PasswordLane, Lane>;
  private readonly order: PasswordLane[];
  /** Index in `order` of the lane served first when a slot frees; moves on after each start. */
  private nextLane = 0;

  constructor(
    readonly slots: number,
    readonly settings: Readonly<Record<PasswordLane, LaneSettings>>
  ) {
    const lane = (s: LaneSettings): Lane => ({ settings: s, running: 0, waiting: [], started: 0 });
    this.lanes = { account: lane(settings.account), room: lane(settings.room) };
    this.order = ['account', 'room'];
  }

  /** Runs `work` once a slot is free for the lane; rejects with PasswordsBusyError when the line is full. */
  async run<T>(laneName: PasswordLane, work: () => Promise<T>): Promise<T> {
    await this.acquire(laneName);
    try {
      return await work();
    } finally {
      this.release(laneName);
    }
  }

  /** How many runs a lane has started, and how many wait: read by tests and diagnostics. */
  stats(laneName: PasswordLane): { started: number; running: number; waiting: number } {
    const lane = this.lanes[laneName];
    return { started: lane.started, running: lane.running, waiting: lane.waiting.length };
  }

  private canStart(lane: Lane): boolean {
    return this.running < this.slots && lane.running < lane.settings.maxRunning;
  }

  private start(lane: Lane): void {
    this.running++;
    lane.running++;
    lane.started++;
  }

  private acquire(laneName: PasswordLane): Promise<void> {
    const lane = this.lanes[laneName];
    // Nobody may overtake those already waiting in the same lane.
    if (lane.waiting.length === 0 && this.canStart(lane)) {
      this.start(lane);
      return Promise.resolve();
    }
    if (lane.waiting.length >= lane.settings.maxWaiting) return Promise.reject(new PasswordsBusyError());
    return new Promise((resolve) => lane.waiting.push(resolve));
  }

  private release(laneName: PasswordLane): void {
    const lane = this.lanes[laneName];
    this.running--;
    lane.running--;
    this.dispatch();
  }

  /** Fills free slots from the lanes in turn, so a long line in one never holds the other back. */
  private dispatch(): void {
    let idle = 0;
    while (this.running < this.slots && idle < this.order.length) {
      const lane = this.lanes[this.order[this.nextLane]];
      this.nextLane = (this.nextLane + 1) % this.order.length;
      if (lane.waiting.length > 0 && this.canStart(lane)) {
        this.start(lane);
        lane.waiting.shift()!();
        idle = 0;
      } else {
        idle++;
      }
    }
  }
}

/**
 * One pool per process. Two slots keep two of libuv's four threads free for everything else;
 * room passwords may hold only one, so a sign-in always finds a slot within one bcrypt run. The
 * account line is long enough for a burst of honest sign-ins; the limits in limits.ts keep
 * guessers from ever filling it.
 */
export const bcryptPool = new BcryptPool(2, {
  account: { maxRunning: 2, maxWaiting: 64 },
  room: { maxRunning: 1, maxWaiting: 48 }
});

export const hashPassword = (plain: string, lane: PasswordLane): Promise<string> =>
  bcryptPool.run(lane, () => bcrypt.hash(plain, BCRYPT_COST));

export const verifyPassword = (plain: string, hash: string, lane: PasswordLane): Promise<boolean> =>
  bcryptPool.run(lane, () => bcrypt.compare(plain, hash));

/** A hash to compare against when there is none, so a miss takes as long as a wrong password. */
export const UNUSABLE_HASH = bcrypt.hashSync('not-a-real-password', BCRYPT_COST);
