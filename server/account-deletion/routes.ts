import { Router, type RequestHandler } from 'express';
import { deleteAccountSchema } from '../../src/lib/protocol/index.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import type { AccountDeletion } from './service.ts';

/**
 * `/api/account`: `POST /delete { password }` deletes the signed-in account and clears its cookie
 * (docs/architecture.md#deleting-an-account).
 */
export function createAccountDeletionRouter({
  deletion,
  requireAuth,
  clearSession
}: {
  deletion: AccountDeletion;
  requireAuth: RequestHandler;
  clearSession: (res: Parameters<RequestHandler>[1]) => void;
}): Router {
  const router = Router();
  router.post('/delete', requireAuth, async (req, res) => {
    const { password } = parseBody(req, deleteAccountSchema);
    await deletion.deleteAccount(req.ip, currentUser(req), password);
    clearSession(res);
    res.json({ ok: true });
  });
  return router;
}
