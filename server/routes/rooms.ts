import { Router, type ErrorRequestHandler, type Request } from 'express';
import {
  createRoomSchema,
  joinByCodeSchema,
  joinRoomSchema,
  roomIdSchema,
  type LeaveRoomResult
} from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';
import { answerPasswordsBusy } from '../infra/passwords.ts';
import { createRoomAttempts } from '../auth/roomAttempts.ts';
import { currentUser } from '../auth/session.ts';
import { parseBody } from '../http/validate.ts';
import { createRoomService, RoomError, roomNotFound } from '../rooms/service.ts';

const inviteCodeSchema = joinByCodeSchema.shape.inviteCode;

/** The `:id` of the path; an id of the wrong shape names no room. */
function roomIdParam(req: Request): string {
  const parsed = roomIdSchema.safeParse(req.params.id);
  if (!parsed.success) throw roomNotFound();
  return parsed.data;
}

/**
 * The room endpoints (docs/architecture.md#the-house), all for signed-in users. Leaving a room you are not in answers
 * 403 "You are not a member of this room", like every other members-only action.
 */
export function createRoomsRouter(ctx: AppContext): Router {
  const rooms = createRoomService({
    db: ctx.db,
    queries: ctx.queries,
    events: ctx.events,
    uploadsDir: ctx.config.uploadsDir,
    attempts: createRoomAttempts(ctx.redis)
  });
  const router = Router();
  router.use(ctx.sessions.requireAuth);

  router.get('/', (req, res) => {
    res.json(rooms.listFor(currentUser(req).id));
  });

  router.post('/', async (req, res) => {
    const body = parseBody(res, createRoomSchema, req.body);
    if (!body) return;
    res.status(201).json(await rooms.create(currentUser(req), body));
  });

  router.post('/join-by-code', async (req, res) => {
    const body = parseBody(res, joinByCodeSchema, req.body);
    if (!body) return;
    res.json(await rooms.joinByInviteCode(currentUser(req), body.inviteCode, body.password));
  });

  router.get('/invite/:code', (req, res) => {
    const code = inviteCodeSchema.safeParse(req.params.code);
    if (!code.success) throw roomNotFound();
    res.json(rooms.invitePreview(currentUser(req).id, code.data));
  });

  router.get('/:id', (req, res) => {
    res.json(rooms.details(roomIdParam(req), currentUser(req).id));
  });

  router.delete('/:id', async (req, res) => {
    await rooms.remove(currentUser(req).id, roomIdParam(req));
    res.json({ ok: true });
  });

  router.post('/:id/join', async (req, res) => {
    const roomId = roomIdParam(req);
    const body = parseBody(res, joinRoomSchema, req.body);
    if (!body) return;
    res.json(await rooms.joinById(currentUser(req), roomId, body.password));
  });

  router.post('/:id/leave', async (req, res) => {
    const { deleted } = await rooms.leave(currentUser(req), roomIdParam(req));
    res.json({ ok: true, deleted } satisfies LeaveRoomResult);
  });

  const answerRoomErrors: ErrorRequestHandler = (err, _req, res, next) => {
    if (!(err instanceof RoomError)) return next(err);
    if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(err.status).json({ error: err.message });
  };
  router.use(answerRoomErrors, answerPasswordsBusy);

  return router;
}
