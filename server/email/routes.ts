import { Router, type RequestHandler } from 'express';
import { emailRequestSchema, resetPasswordSchema, verifyEmailSchema, type MailAnswer } from '../../src/lib/protocol/index.ts';
import type { Config } from '../infra/config.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import { compileTrustProxy, requestOrigin } from '../infra/origin.ts';
import { RESET_SENT, VERIFY_SENT, type EmailService } from './service.ts';

/** `/api/email`: the account's address, its verification link, forgotten passwords. */
export function createEmailRouter({ email, requireAuth, config }: { email: EmailService; requireAuth: RequestHandler; config: Pick<Config, 'mail' | 'trustProxy' | 'port'> }): Router {
  const router = Router();
  const trust = compileTrustProxy(config.trustProxy);
  // Where mailed links point. Production mails only with PUBLIC_URL set (server/infra/mail.ts): a
  // Host header is the sender's to choose, and a reset link must never lead to someone else's site.
  const linkBase = (req: Parameters<RequestHandler>[0]) => config.mail.publicUrl ?? requestOrigin(req, trust) ?? `http://localhost:${config.port}`;

  router.get('/', requireAuth, async (req, res) => {
    res.json(await email.status(currentUser(req).id));
  });

  router.post('/', requireAuth, async (req, res) => {
    const { email: address } = parseBody(req, emailRequestSchema);
    await email.requestVerification(currentUser(req).id, address, linkBase(req));
    res.status(202).json({ message: VERIFY_SENT } satisfies MailAnswer);
  });

  router.post('/verify', async (req, res) => {
    const { token } = parseBody(req, verifyEmailSchema);
    res.json({ email: await email.verify(req.ip, token) });
  });

  router.post('/forgot', async (req, res) => {
    const { email: address } = parseBody(req, emailRequestSchema);
    await email.requestReset(req.ip, address, linkBase(req));
    res.status(202).json({ message: RESET_SENT } satisfies MailAnswer);
  });

  router.post('/reset', async (req, res) => {
    const { token, password } = parseBody(req, resetPasswordSchema);
    await email.resetPassword(req.ip, token, password);
    res.json({ ok: true });
  });

  return router;
}
