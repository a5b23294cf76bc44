import {
  REGISTRATIONS_PER_ADDRESS_PER_HOUR,
  SIGN_IN_DAILY_FACTOR,
  SIGN_IN_FAILS_PER_USERNAME,
  SIGN_IN_FAILS_PER_USERNAME_AND_ADDRESS,
  SIGN_IN_USERNAME_AND_ADDRESS_WINDOW_SECONDS,
  SIGN_IN_USERNAME_WINDOW_SECONDS
} from '../../src/lib/protocol/index.ts';
import type { Redis } from '../infra/redis.ts';
import { addressKey, admit, AttemptCounter, UNLIMITED, type Attempt, type Refusal } from './attempts.ts';

export interface AuthLimits {
  /** Before checking a sign-in's password; `username` as typed (names match in any case). */
  admitSignIn(ip: string | undefined, username: string): Promise<Attempt | Refusal>;
  /** Before creating an account from a valid request. */
  admitRegistration(ip: string | undefined): Promise<Attempt | Refusal>;
}

/** Where each count lives in Redis (each key is the prefix, a colon, then the address or name). */
export const AUTH_LIMIT_PREFIXES = {
  addressMinute: 'bbb:signin:addr:min',
  addressDay: 'bbb:signin:addr:day',
  usernameAndAddress: 'bbb:signin:name-addr',
  username: 'bbb:signin:name',
  registrations: 'bbb:register:addr'
} as const;

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

