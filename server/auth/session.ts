import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { SESSION_DAYS, type PublicUser } from '../../src/lib/protocol/index.ts';
import type { Queries } from '../db/queries.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by requireAuth. */
      user?: PublicUser;
    }
  }
}

export const SESSION_COOKIE = 'token';

interface TokenPayload {
  id: number;
  /** The user's token_version when the token was issued. */
  v: number;
}

/** Signs sessions and checks them against the database: one logic for HTTP and sockets. */
export function createSessions(secret: string, queries: Queries, secureCookies: boolean) {
  function issue(res: Response, user: { id: number; token_version: number }): void {
    const token = jwt.sign({ id: user.id, v: user.token_version } satisfies TokenPayload, secret, {
      expiresIn: `${SESSION_DAYS}d`
    });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      path: '/',
      maxAge: SESSION_DAYS * 24 * 60 * 60 * 1000
    });
  }

  function clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
  }

  /** The user a token belongs to, or null for a missing, forged, expired or revoked token. */
  function verify(token: string | undefined): PublicUser | null {
    if (!token) return null;
    let payload: unknown;
    try {
      payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (typeof payload !== 'object' || payload === null) return null;
    const { id, v } = payload as Partial<TokenPayload>;
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(v)) return null;
    const user = queries.findUserById.get(id as number);
    if (!user || user.token_version !== v) return null;
    return { id: user.id, username: user.username };
  }

  function fromCookieHeader(header: string | undefined): PublicUser | null {
    if (!header) return null;
    return verify(parseCookie(header)[SESSION_COOKIE]);
  }

  function requireAuth(req: Request, res: Response, next: NextFunction): void {
    const user = fromCookieHeader(req.headers.cookie);
    if (!user) {
      res.status(401).json({ error: 'Not authenticated' });
      return;
    }
    req.user = user;
    next();
  }

  return { issue, clear, verify, fromCookieHeader, requireAuth };
}

export type Sessions = ReturnType<typeof createSessions>;

/** The signed-in user of a request that passed requireAuth. */
export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new Error('requireAuth must run before this handler');
  return req.user;
}
