import { AppError } from '../infra/errors.ts';
import type { ServerEvents } from '../infra/events.ts';
import { isRefusal, tooMany, type Attempt, type AuthLimits, type PasswordChangeAttempts } from '../infra/limits.ts';
import { hashPassword, UNUSABLE_HASH, verifyPassword } from '../infra/passwords.ts';
import type { UserRow, UserStore } from './storage.ts';

// Accounts: registration, sign-in and sign-out, and the names other features show.

export interface AuthServiceDeps {
  users: UserStore;
  limits: AuthLimits;
  events: ServerEvents;
  passwordChanges: PasswordChangeAttempts;
}

export interface Credentials {
  username: string;
  password: string;
}

const nameTaken = () => new AppError('VALIDATION_ERROR', 'That username is taken', { status: 409 });
const wrongCredentials = () => new AppError('UNAUTHORIZED', 'Invalid username or password', { status: 401 });

/** A bound that keeps the name cache from growing without end (names never change). */
const NAME_CACHE_SIZE = 10_000;

/**
 * Whether `password` is the account's, under a counted attempt: a wrong one (or no account: the
 * same bcrypt run on an unusable hash, so the time says nothing) stays counted, a right one gives
 * the counts back, and a check the server could not run counts for nothing.
 */
async function judged(attempt: Attempt, password: string, user: UserRow | undefined): Promise<boolean> {
  let matches: boolean;
  try {
    matches = await verifyPassword(password, user?.password_hash ?? UNUSABLE_HASH, 'account');
  } catch (err) {
    await attempt.abandon();
    throw err;
  }
  if (!user || !matches) {
    attempt.failed();
    return false;
  }
  await attempt.succeeded();
  return true;
}

export function createAuthService({ users, limits, events, passwordChanges }: AuthServiceDeps) {
  const names = new Map<number, string>();

  async function nameOf(userId: number): Promise<string | undefined> {
    let name = names.get(userId);
    if (name === undefined) {
      name = (await users.findUserById(userId))?.username;
      if (name !== undefined) {
        if (names.size > NAME_CACHE_SIZE) names.clear();
        names.set(userId, name);
      }
    }
    return name;
  }

  /** Sets a password (checked by the caller) and ends every session of the account. */
  async function setPassword(userId: number, password: string): Promise<UserRow> {
    const updated = await users.setPassword(userId, await hashPassword(password, 'account'));
    if (!updated) throw new AppError('NOT_FOUND', 'This account no longer exists');
    events.emit('user:signed-out', userId);
    return updated;
  }

  return {
    /** A new account from a valid request; counted per address (taken names included). */
    async register(ip: string | undefined, { username, password }: Credentials): Promise<UserRow> {
      const attempt = await limits.admitRegistration(ip);
      if (isRefusal(attempt)) throw tooMany(attempt, 'Too many new accounts from this address.');
      if (await users.findUserByUsername(username)) throw nameTaken();
      let hash: string;
      try {
        hash = await hashPassword(password, 'account');
      } catch (err) {
        await attempt.abandon();
        throw err;
      }
      // Two registrations racing for one name: the unique index decides.
      const user = await users.createUser(username, hash);
      if (!user) throw nameTaken();
      return user;
    },

    /** The account whose password this is; wrong passwords are counted (docs/architecture.md#abuse-limits). */
    async signIn(ip: string | undefined, { username, password }: Credentials): Promise<UserRow> {
      const attempt = await limits.admitSignIn(ip, username);
      if (isRefusal(attempt)) throw tooMany(attempt, 'Too many failed sign-in attempts.');
      const user = await users.findUserByUsername(username);
      if (!(await judged(attempt, password, user)) || !user) throw wrongCredentials();
      return user;
    },

    /**
     * Checks the signed-in user's own password before an action that needs it (deleting the
     * account), counted as a sign-in of that name from this address: a stolen session cannot
     * guess faster here than at the sign-in form.
     */
    async confirmPassword(ip: string | undefined, user: { id: number; username: string }, password: string): Promise<void> {
      const attempt = await limits.admitSignIn(ip, user.username);
      if (isRefusal(attempt)) throw tooMany(attempt, 'Too many wrong passwords.');
      if (!(await judged(attempt, password, await users.findUserById(user.id)))) throw new AppError('UNAUTHORIZED', 'Wrong password', { status: 403 });
    },

    /** Every token issued before now stops working, and open sockets are closed (docs/architecture.md#signing-out-ends-the-session). */
    async signOut(userId: number): Promise<void> {
      await users.bumpTokenVersion(userId);
      events.emit('user:signed-out', userId);
    },

    /**
     * A new password for a signed-in user who knows the current one (docs/architecture.md#email-and-password-resets).
     * Every session ends, this one included; the caller issues this browser a fresh token (the row
     * returned carries the new token version). Wrong current passwords are counted per account.
     */
    async changePassword(userId: number, currentPassword: string, newPassword: string): Promise<UserRow> {
      const attempt = await passwordChanges.admit(userId);
      if (isRefusal(attempt)) throw tooMany(attempt, 'Too many wrong passwords.');
      if (!(await judged(attempt, currentPassword, await users.findUserById(userId)))) {
        throw new AppError('VALIDATION_ERROR', 'Your current password is wrong', { status: 403 });
      }
      return setPassword(userId, newPassword);
    },

    setPassword,

    /** User ids as the `{ userId, username }` pairs events carry; unknown ids are left out. */
    async named(userIds: number[]): Promise<NamedUser[]> {
      const named: NamedUser[] = [];
      for (const userId of userIds) {
        const username = await nameOf(userId);
        if (username !== undefined) named.push({ userId, username });
      }
      return named;
    }
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/** A user as room events name them. */
export interface NamedUser {
  userId: number;
  username: string;
}
