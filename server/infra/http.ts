import type { Request } from 'express';
import type { z } from 'zod';
import type { PublicUser } from '../../src/lib/protocol/index.ts';
import { parse } from './errors.ts';

// What every REST adapter reads from a request: its parsed body and its signed-in user.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the sessions' requireAuth. */
      user?: PublicUser;
    }
  }
}

/** The body parsed with a contract schema; a request without one is an empty object. */
export function parseBody<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return parse(schema, req.body ?? {});
}

/** The signed-in user of a request that passed requireAuth. */
export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new Error('requireAuth must run before this handler');
  return req.user;
}
