import { Router, type Request, type RequestHandler } from 'express';
import {
  createRoomSchema,
  joinByCodeSchema,
  joinRoomSchema,
  roomIdSchema,
  roomSearchSchema,
  roomSettingsSchema,
  type LeaveRoomResult,
  type PublicInvitePreview
} from '../../src/lib/protocol/index.ts';
import { AppError, parse } from '../infra/errors.ts';
import { currentUser, parseBody } from '../infra/http.ts';
import type { InviteLookupLimit, RoomSearchLimit } from '../infra/limits.ts';
import { roomNotFound, type RoomService } from './service.ts';

const inviteCodeSchema = joinByCodeSchema.shape.inviteCode;

/** The `:id` of the path; an id of the wrong shape names no room. */
function roomIdParam(req: Request): string {
  const parsed = roomIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw roomNotFound();
  return parsed.data;
}

/** The `:userId` of the path; anything but a positive integer names nobody. */
function userIdParam(req: Request): number {
  const id = /^[1-9][0-9]{0,14}$/.test(String(req.params.userId)) ? Number(req.params.userId) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('NOT_FOUND', 'That person is not a member of this room');
  return id;
}

/**
 * `/api/rooms`, all for signed-in users but one: the name behind an invite link, which the
 * sign-in page shows to a friend who follows the link while signed out (limited per address).
 * Leaving a room you are not in answers 403 "You are not a member of this room", like every
 * other members-only action.
 */
export function createRoomsRouter({
  rooms,
  requireAuth,
  inviteLookups,
  searches
}: {
  rooms: RoomService;
  requireAuth: RequestHandler;
  inviteLookups: InviteLookupLimit;
  searches: RoomSearchLimit;
}): Router {
  const router = Router();

  router.get('/invite/:code/public', async (req, res) => {
    await inviteLookups.take(req.ip);
    const code = inviteCodeSchema.safeParse(req.params.code);
    if (!code.success) throw roomNotFound();
    const { name, hasPassword } = await rooms.invitePreview(0, code.data);
    res.json({ name, hasPassword } satisfies PublicInvitePreview);
  });

  router.use(requireAuth);

  router.get('/', async (req, res) => {
    res.json(await rooms.listFor(currentUser(req).id));
  });

  router.post('/', async (req, res) => {
    res.status(201).json(await rooms.create(currentUser(req), parseBody(req, createRoomSchema)));
  });

  router.post('/join-by-code', async (req, res) => {
    const body = parseBody(req, joinByCodeSchema);
    res.json(await rooms.joinByInviteCode(currentUser(req), body.inviteCode, body.password));
  });

  /** Findable rooms by name (docs/architecture.md#public-rooms); limited per user. */
  router.get('/search', async (req, res) => {
    const user = currentUser(req);
    const query = parse(roomSearchSchema, req.query);
    await searches.take(user.id);
    res.json(await rooms.search(user.id, query.q, query.offset));
  });

  router.get('/invite/:code', async (req, res) => {
    const code = inviteCodeSchema.safeParse(req.params.code);
    if (!code.success) throw roomNotFound();
    res.json(await rooms.invitePreview(currentUser(req).id, code.data));
  });

  router.get('/:id', async (req, res) => {
    res.json(await rooms.details(roomIdParam(req), currentUser(req).id));
  });

  router.delete('/:id', async (req, res) => {
    await rooms.remove(currentUser(req).id, roomIdParam(req));
    res.json({ ok: true });
  });

  /**
   * The one join without an invite: a findable room, or a room I am already in
   * (docs/architecture.md#public-rooms). Every other room takes its invite code.
   */
  router.post('/:id/join', async (req, res) => {
    const roomId = roomIdParam(req);
    const body = parseBody(req, joinRoomSchema);
    res.json(await rooms.joinFindable(currentUser(req), roomId, body.password));
  });

  /** The owner's settings: findable or invite-only. */
  router.patch('/:id', async (req, res) => {
    const roomId = roomIdParam(req);
    res.json(await rooms.changeSettings(currentUser(req).id, roomId, parseBody(req, roomSettingsSchema)));
  });

  router.post('/:id/leave', async (req, res) => {
    const { deleted } = await rooms.leave(currentUser(req), roomIdParam(req));
    res.json({ ok: true, deleted } satisfies LeaveRoomResult);
  });

  /** The owner removes a member (docs/architecture.md#owner-tools). */
  router.delete('/:id/members/:userId', async (req, res) => {
    await rooms.removeMember(currentUser(req).id, roomIdParam(req), userIdParam(req));
    res.json({ ok: true });
  });

  return router;
}
