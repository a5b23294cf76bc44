import { Router } from 'express';
import { z } from 'zod';
import { credentialsSchema } from '../../src/lib/protocol/index.ts';
import type { Queries } from '../db/queries.ts';
import type { ServerEvents } from '../infra/events.ts';
import { answerTooMany, isRefusal } from '../auth/attempts.ts';
import { answerPasswordsBusy, hashPassword, UNUSABLE_HASH, verifyPassword } from '../infra/passwords.ts';
import type { AuthLimits } from '../auth/rateLimit.ts';
import { currentUser, type Sessions } from '../auth/session.ts';
import { parseBody } from '../http/validate.ts';

// Sign-in checks only the shape: naming the username rules here would help nobody but a guesser.
// Nor does it apply the 72-byte rule of new passwords: accounts made before it keep working.
const loginSchema = z.object({
  username: z.string({ error: 'Username is required' }).min(1, 'Username is required').max(200),
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(1000)
});

interface AuthDeps {
  queries: Queries;
  sessions: Sessions;
  events: ServerEvents;
  limits: AuthLimits;
}

export function createAuthRouter({ queries, sessions, events, limits }: AuthDeps): Router {
  const router = Router();

  router.post('/register', async (req, res) => {
    const body = parseBody(res, credentialsSchema, req.body);
    if (!body) return;
    const attempt = await limits.admitRegistration(req.ip);
    if (isRefusal(attempt)) {
      answerTooMany(res, attempt, 'Too many new accounts from this address.');
      return;
    }
    if (queries.findUserByUsername.get(body.username)) {
      res.status(409).json({ error: 'That username is taken' });
      return;
    }
    let hash: string;
    try {
      hash = await hashPassword(body.password, 'account');
    } catch (err) {
      await attempt.abandon();
      throw err;
    }
    try {
      queries.createUser.run(body.username, hash);
    } catch (err) {
      // Two registrations racing for one name: the UNIQUE constraint decides.
      if (err instanceof Error && err.message.includes('UNIQUE')) {
        res.status(409).json({ error: 'That username is taken' });
        return;
      }
      throw err;
    }
    const user = queries.findUserByUsername.get(body.username)!;
    sessions.issue(res, user);
    res.status(201).json({ id: user.id, username: user.username });
  });

  router.post('/login', async (req, res) => {
    const body = parseBody(res, loginSchema, req.body);
    if (!body) return;
    const attempt = await limits.admitSignIn(req.ip, body.username);
    if (isRefusal(attempt)) {
      answerTooMany(res, attempt, 'Too many failed sign-in attempts.');
      return;
    }
    const user = queries.findUserByUsername.get(body.username);
    let matches: boolean;
    try {
      matches = await verifyPassword(body.password, user?.password_hash ?? UNUSABLE_HASH, 'account');
    } catch (err) {
      await attempt.abandon();
      throw err;
    }
    if (!user || !matches) {
      attempt.failed();
      res.status(401).json({ error: 'Invalid username or password' });
      return;
    }
    await attempt.succeeded();
    sessions.issue(res, user);
    res.json({ id: user.id, username: user.username });
  });

  router.post('/logout', (req, res) => {
    const user = sessions.fromCookieHeader(req.headers.cookie);
    if (user) {
      // Every token issued before now stops working, and open sockets are closed.
      queries.bumpTokenVersion.run(user.id);
      events.emit('user:signed-out', user.id);
    }
    sessions.clear(res);
    res.json({ ok: true });
  });

  router.get('/me', sessions.requireAuth, (req, res) => {
    res.json(currentUser(req));
  });

  router.use(answerPasswordsBusy);

  return router;
}
