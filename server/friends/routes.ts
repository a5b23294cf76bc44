import { Router, type Request, type RequestHandler } from 'express';
import { blockSchema, friendRequestSchema, type DirectRoomResult, type FriendRequestResult } from '../../src/lib/protocol/index.ts';
import { AppError } from '../infra/errors.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import type { FriendsService } from './service.ts';

// `/api/friends` (docs/architecture.md#friends-and-direct-messages): the friends page's lists, and
// each change to them. All for signed-in users.

/** The `:userId` of the path; anything but a positive integer names nobody. */
function userIdParam(req: Request): number {
  const id = /^[1-9][0-9]{0,14}$/.test(String(req.params.userId)) ? Number(req.params.userId) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('NOT_FOUND', 'No such person');
  return id;
}

export function createFriendsRouter({ friends, requireAuth }: { friends: FriendsService; requireAuth: RequestHandler }): Router {
  const router = Router();
  router.use(requireAuth);

  router.get('/', async (req, res) => {
    res.json(await friends.overview(currentUser(req).id));
  });

  router.post('/requests', async (req, res) => {
    const { username } = parseBody(req, friendRequestSchema);
    res.json((await friends.request(currentUser(req), username)) satisfies FriendRequestResult);
  });

  router.post('/requests/:userId/accept', async (req, res) => {
    await friends.accept(currentUser(req), userIdParam(req));
    res.json({ ok: true });
  });

  router.post('/requests/:userId/decline', async (req, res) => {
    await friends.decline(currentUser(req), userIdParam(req));
    res.json({ ok: true });
  });

  /** Cancels one's own request. */
  router.delete('/requests/:userId', async (req, res) => {
    await friends.cancel(currentUser(req), userIdParam(req));
    res.json({ ok: true });
  });

  router.post('/seen', async (req, res) => {
    await friends.markSeen(currentUser(req));
    res.json({ ok: true });
  });

  router.post('/blocks', async (req, res) => {
    await friends.block(currentUser(req), parseBody(req, blockSchema));
    res.json({ ok: true });
  });

  router.delete('/blocks/:userId', async (req, res) => {
    await friends.unblock(currentUser(req), userIdParam(req));
    res.json({ ok: true });
  });

  /** Opens (creating the first time) the direct-message room with a friend. */
  router.post('/:userId/direct', async (req, res) => {
    const roomId = await friends.openDirect(currentUser(req), userIdParam(req));
    res.json({ roomId } satisfies DirectRoomResult);
  });

  router.delete('/:userId', async (req, res) => {
    await friends.remove(currentUser(req), userIdParam(req));
    res.json({ ok: true });
  });

  return router;
}
