import { Router } from 'express';
import { z } from 'zod';
import { changePasswordSchema, credentialsSchema } from '../../src/lib/protocol/index.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import type { AuthService } from './service.ts';
import type { Sessions } from './session.ts';

// Sign-in checks only the shape: naming the username rules here would help nobody but a guesser.
// Nor does it apply the 72-byte rule of new passwords: accounts made before it keep working.
const loginSchema = z.object({
  username: z.string({ error: 'Username is required' }).min(1, 'Username is required').max(200),
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(1000)
});

/** `/api/auth`: register, login, logout, password, me, session. */
export function createAuthRouter({ auth, sessions }: { auth: AuthService; sessions: Sessions }): Router {
  const router = Router();

  router.post('/register', async (req, res) => {
    const user = await auth.register(req.ip, parseBody(req, credentialsSchema));
    sessions.issue(res, user);
    res.status(201).json({ id: user.id, username: user.username });
  });

  router.post('/login', async (req, res) => {
    const user = await auth.signIn(req.ip, parseBody(req, loginSchema));
    sessions.issue(res, user);
    res.json({ id: user.id, username: user.username });
  });

  router.post('/logout', async (req, res) => {
    const user = await sessions.fromCookieHeader(req.headers.cookie);
    if (user) await auth.signOut(user.id);
    sessions.clear(res);
    res.json({ ok: true });
  });

  // A new password ends every session; this browser gets a fresh token and stays signed in
  // (docs/architecture.md#email-and-password-resets).
  router.post('/password', sessions.requireAuth, async (req, res) => {
    const { currentPassword, newPassword } = parseBody(req, changePasswordSchema);
    const user = await auth.changePassword(currentUser(req).id, currentPassword, newPassword);
    sessions.issue(res, user);
    res.json({ id: user.id, username: user.username });
  });

  router.get('/me', sessions.requireAuth, (req, res) => {
    res.json(currentUser(req));
  });

  // Who is signed in, if anyone: what every page asks first. Being signed out is an answer, not
  // an error, so a visitor's first page logs no failed request in the browser's console.
  router.get('/session', async (req, res) => {
    res.json({ user: await sessions.fromCookieHeader(req.headers.cookie) });
  });

  return router;
}
