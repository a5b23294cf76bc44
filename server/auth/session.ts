import { createSecretKey } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { SESSION_DAYS, type PublicUser } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import type { UserStore } from './storage.ts';

export const SESSION_COOKIE = 'token';

const SESSION_SECONDS = SESSION_DAYS * 24 * 60 * 60;

/**
 * A valid session with the moment its token stops being accepted (ms since the epoch), or why
 * there is none.
 */
export type SessionCheck =
  | { user: PublicUser; expiresAt: number }
  | { user: null; reason: 'missing' | 'invalid' | 'expired' | 'revoked' };

interface TokenPayload {
  id: number;
  /** The user's token_version when the token was issued. */
  v: number;
}

/** What a verified token must hold: ours, plus the expiry jsonwebtoken adds. */
const signedClaims = z.object({ id: z.int(), v: z.int(), exp: z.number() });

/** A signed session token for `user`; `lifetimeSeconds` is shorter only in tests of expiry. */
export function signSession(secret: string, user: { id: number; token_version: number }, lifetimeSeconds = SESSION_SECONDS): string {
  return jwt.sign({ id: user.id, v: user.token_version } satisfies TokenPayload, secret, { expiresIn: lifetimeSeconds });
}

/** Signs sessions and checks them against the database: one logic for HTTP and sockets. */
export function createSessions(secret: string, users: Pick<UserStore, 'findUserById'>, secureCookies: boolean) {
  const sign = (user: { id: number; token_version: number }, lifetimeSeconds?: number) => signSession(secret, user, lifetimeSeconds);

  function issue(res: Response, user: { id: number; token_version: number }): void {
    const token = sign(user);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      path: '/',
      maxAge: SESSION_SECONDS * 1000
    });
  }

  function clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
  }

  /** Who a token belongs to and until when, or why it is not a session. */
  // A key object made once: given a string, jsonwebtoken first tries (and fails) to read it as a
  // public key on every verification, which the profile of a busy server showed as real CPU time.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));

  async function check(token: string | undefined): Promise<SessionCheck> {
    if (!token) return { user: null, reason: 'missing' };
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, { algorithms: ['HS256'] });
    } catch (err) {
      // Only a token we signed ourselves can be reported as expired: the signature is checked first.
      return { user: null, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
    const claims = signedClaims.safeParse(payload);
    if (!claims.success) return { user: null, reason: 'invalid' };
    const { id, v, exp } = claims.data;
    const user = await users.findUserById(id);
    if (!user || user.token_version !== v) return { user: null, reason: 'revoked' };
    return { user: { id: user.id, username: user.username }, expiresAt: exp * 1000 };
  }

  /** The user a token belongs to, or null for a missing, forged, expired or revoked token. */
  async function verify(token: string | undefined): Promise<PublicUser | null> {
    return (await check(token)).user;
  }

  /** The session of a Cookie header, with its expiry (the socket handshake needs both). */
  async function checkCookieHeader(header: string | undefined): Promise<SessionCheck> {
    if (!header) return { user: null, reason: 'missing' };
    let token: string | undefined;
    try {
      token = parseCookie(header)[SESSION_COOKIE];
    } catch {
      return { user: null, reason: 'invalid' };
    }
    return check(token);
  }

  async function fromCookieHeader(header: string | undefined): Promise<PublicUser | null> {
    return (await checkCookieHeader(header)).user;
  }

  function requireAuth(req: Request, _res: Response, next: NextFunction): void {
    fromCookieHeader(req.headers.cookie).then((user) => {
      if (!user) return next(new AppError('UNAUTHORIZED', 'Not authenticated', { status: 401 }));
      req.user = user;
      next();
    }, next);
  }

  return { sign, issue, clear, verify, checkCookieHeader, fromCookieHeader, requireAuth };
}

export type Sessions = ReturnType<typeof createSessions>;
