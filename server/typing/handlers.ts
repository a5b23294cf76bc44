import { TYPING_EXPIRE_MS, type TypingKind, type TypingRequest, type TypingSnapshot } from '../../src/lib/protocol/index.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { localRooms, roomChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { TypingService } from './service.ts';

// typing:start and typing:stop, for text or a drawing. The room hears typing:update with everyone
// typing (or drawing), only when that list changes; repeated typing:start only keeps the entry fresh.

export interface TypingHandlerDeps {
  io: IoServer;
  typing: TypingService;
  limits: SocketLimits;
  requireMember: MemberGate;
}

export function createTypingHandlers({ io, typing, limits, requireMember }: TypingHandlerDeps) {
  function announce(roomId: string, kind: TypingKind, snapshot: TypingSnapshot | null): undefined {
    if (snapshot) io.to(roomChannel(roomId)).emit('typing:update', { roomId, kind, ...snapshot });
    return undefined;
  }

  /** The room of a typing event, once the socket may send one there. */
  async function typingRoom(socket: AppSocket, { roomId }: TypingRequest): Promise<string> {
    await requireMember(socket, roomId);
    limits.typing(socket);
    return roomId;
  }

  return {
    async start(socket: AppSocket, payload: TypingRequest): Promise<undefined> {
      const roomId = await typingRoom(socket, payload);
      return announce(roomId, payload.kind, await typing.start(roomId, socket.data.user.id, payload.kind));
    },
    async stop(socket: AppSocket, payload: TypingRequest): Promise<undefined> {
      const roomId = await typingRoom(socket, payload);
      return announce(roomId, payload.kind, await typing.stop(roomId, socket.data.user.id, payload.kind));
    }
  };
}

export type TypingHandlers = ReturnType<typeof createTypingHandlers>;

/** How often stale typing entries are looked for: a fifth of their lifetime. */
const TYPING_SWEEP_MS = TYPING_EXPIRE_MS / 5;

/**
 * Typing expires even when the client never says stop (closed laptop). Every process sweeps the
 * rooms it has sockets in; the script removes each stale entry once, so only one process tells
 * the room (docs/architecture.md#typing-expires).
 */
export function startTypingSweep({ io, typing, closing }: { io: IoServer; typing: TypingService; closing: () => boolean }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running || closing()) return;
    running = true;
    typing
      .sweep(localRooms(io))
      .then((changed) => {
        for (const { roomId, kind, snapshot } of changed) io.to(roomChannel(roomId)).emit('typing:update', { roomId, kind, ...snapshot });
      })
      .catch(() => undefined) // Redis away: the next sweep tries again
      .finally(() => (running = false));
  }, TYPING_SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
