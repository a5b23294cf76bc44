import { TYPING_EXPIRE_MS, type RoomRef } from '../../src/lib/protocol/index.ts';
import { startTyping, stopTyping, sweepTyping } from '../redis/typing.ts';
import { localRooms, namedUsers, roomChannel, type AppSocket, type Realtime } from './context.ts';
import { rateLimited } from './errors.ts';
import { LocalRateLimiter, TYPING_EVENTS_PER_SECOND } from './rateLimiter.ts';

// typing:start and typing:stop. The room hears typing:update with everyone typing, only when that
// list changes; repeated typing:start only keeps the entry fresh.

function announce(rt: Realtime, roomId: string, userIds: number[] | null): void {
  if (userIds) rt.io.to(roomChannel(roomId)).emit('typing:update', { roomId, users: namedUsers(rt, userIds) });
}

/** The room of a typing event, once the socket may send one there. */
function typingRoom(socket: AppSocket, rt: Realtime, limiter: LocalRateLimiter, { roomId }: RoomRef): string {
  rt.requireMember(socket, roomId);
  if (!limiter.take()) throw rateLimited('Too many typing events: slow down');
  return roomId;
}

// Helpers at module level, made once rather than per socket (see handlers.ts).
export function createTypingHandlers(socket: AppSocket, rt: Realtime) {
  const { user } = socket.data;
  const limiter = new LocalRateLimiter(TYPING_EVENTS_PER_SECOND);

  return {
    async start(payload: RoomRef): Promise<void> {
      const roomId = typingRoom(socket, rt, limiter, payload);
      const now = Date.now();
      announce(rt, roomId, await startTyping(rt.app.redis, roomId, user.id, now, now - TYPING_EXPIRE_MS));
    },
    async stop(payload: RoomRef): Promise<void> {
      const roomId = typingRoom(socket, rt, limiter, payload);
      announce(rt, roomId, await stopTyping(rt.app.redis, roomId, user.id, Date.now() - TYPING_EXPIRE_MS));
    }
  };
}

/** How often stale typing entries are looked for: a fifth of their lifetime. */
const TYPING_SWEEP_MS = TYPING_EXPIRE_MS / 5;

/**
 * Typing expires even when the client never says stop (closed laptop). Every process sweeps the
 * rooms it has sockets in; the script removes each stale entry once, so only one process tells
 * the room. All of a process's rooms are swept in one script call (per 500 rooms), not one each.
 */
export function startTypingSweep(rt: Realtime): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running || rt.closing) return;
    running = true;
    sweepTyping(rt.app.redis, localRooms(rt.io), Date.now() - TYPING_EXPIRE_MS)
      .then((changed) => {
        for (const [roomId, users] of changed) rt.io.to(roomChannel(roomId)).emit('typing:update', { roomId, users: namedUsers(rt, users) });
      })
      .catch(() => undefined) // Redis away: the next sweep tries again
      .finally(() => (running = false));
  }, TYPING_SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
