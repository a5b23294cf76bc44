import { TYPING_EXPIRE_MS, type TypingKind, type TypingRequest, type TypingSnapshot } from '../../src/lib/protocol/index.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { localRooms, roomChannel, userChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { TypingService } from './service.ts';

/** Blocks between these people and the room's members, either way, as [blocker, blocked]. */
export type BlocksInRoom = (roomId: string, userIds: number[]) => Promise<[number, number][]>;

/** Tells a room who types (or draws) now. */
export type TypingAnnouncer = (roomId: string, kind: TypingKind, snapshot: TypingSnapshot) => Promise<void>;

/**
 * Sends a room its new typing list. A member never sees someone who blocked them, nor someone
 * they blocked: those members get the list without them, on their own channel (a socket showing
 * another room ignores it), with the same version, so versions stay in order for everyone
 * (docs/architecture.md#friends-and-direct-messages). Without blocks it is one broadcast.
 */
export function createTypingAnnouncer(io: IoServer, blocksInRoom: BlocksInRoom): TypingAnnouncer {
  return async (roomId, kind, snapshot) => {
    const update = { roomId, kind, ...snapshot };
    const channel = roomChannel(roomId);
    const typers = snapshot.users.map((u) => u.userId);
    const blocks = typers.length > 0 ? await blocksInRoom(roomId, typers) : [];
    if (blocks.length === 0) {
      io.to(channel).emit('typing:update', update);
      return;
    }
    const hiddenFor = new Map<number, Set<number>>();
    const hide = (viewer: number, typer: number) => hiddenFor.set(viewer, (hiddenFor.get(viewer) ?? new Set()).add(typer));
    for (const [blocker, blocked] of blocks) {
      if (typers.includes(blocker)) hide(blocked, blocker);
      if (typers.includes(blocked)) hide(blocker, blocked);
    }
    for (const [viewer, hidden] of hiddenFor) {
      io.to(userChannel(viewer)).emit('typing:update', { ...update, users: snapshot.users.filter((u) => !hidden.has(u.userId)) });
    }
    io.to(channel)
      .except([...hiddenFor.keys()].map(userChannel))
      .emit('typing:update', update);
  };
}

// typing:start and typing:stop, for text or a drawing. The room hears typing:update with everyone
// typing (or drawing), only when that list changes; repeated typing:start only keeps the entry fresh.

export interface TypingHandlerDeps {
  io: IoServer;
  typing: TypingService;
  limits: SocketLimits;
  requireMember: MemberGate;
  announce: TypingAnnouncer;
}

export function createTypingHandlers({ typing, limits, requireMember, announce: tell }: TypingHandlerDeps) {
  async function announce(roomId: string, kind: TypingKind, snapshot: TypingSnapshot | null): Promise<undefined> {
    if (snapshot) await tell(roomId, kind, snapshot);
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
export function startTypingSweep({
  io,
  typing,
  announce,
  closing
}: {
  io: IoServer;
  typing: TypingService;
  announce: TypingAnnouncer;
  closing: () => boolean;
}): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running || closing()) return;
    running = true;
    typing
      .sweep(localRooms(io))
      .then(async (changed) => {
        for (const { roomId, kind, snapshot } of changed) await announce(roomId, kind, snapshot);
      })
      .catch(() => undefined) // Redis away: the next sweep tries again
      .finally(() => (running = false));
  }, TYPING_SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
