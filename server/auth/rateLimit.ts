import type { NextFunction, Request, Response } from 'express';
import type { Redis } from '../redis/index.ts';

/**
 * Fixed one-minute window per IP in Redis, shared by every server process. When Redis is away the
 * attempt is let through: sign-in stays possible, bcrypt still makes guessing slow.
 */
export function authRateLimit(redis: Redis, perMinute: number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (perMinute <= 0) return next();
    const key = `bbb:authlimit:${req.ip ?? 'unknown'}`;
    let count = 0;
    try {
      const [[, incr]] = (await redis.multi().incr(key).expire(key, 60, 'NX').exec()) as [[Error | null, number]];
      count = incr;
    } catch {
      return next();
    }
    if (count > perMinute) {
      const ttl = await redis.ttl(key).catch(() => 60);
      res.setHeader('Retry-After', String(Math.max(ttl, 1)));
      res.status(429).json({ error: 'Too many attempts. Wait a minute and try again.' });
      return;
    }
    next();
  };
}
