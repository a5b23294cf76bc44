import type { ExtendedError } from 'socket.io';
import { SOCKETS_PER_USER, type TypingSnapshot } from '../../src/lib/protocol/index.ts';
import { joinedRooms, roomChannel, userChannel, type AppSocket, type IoServer } from '../infra/socket.ts';
import type { PresenceRooms, PresenceService } from './service.ts';

// The socket side of presence (docs/architecture.md#presence-counts-connections): what the service
// tells rooms, and the cap on a user's sockets over every process.

/**
 * Presence's notices as broadcasts, and this process's sockets as presence sees them. `hiddenFrom`
 * names the people a user blocked: their sockets never hear that user's dot change
 * (docs/architecture.md#friends-and-direct-messages).
 */
export function presenceRooms(
  io: IoServer,
  hiddenFrom: (userId: number) => Promise<number[]>,
  announceTyping: (roomId: string, kind: 'text', snapshot: TypingSnapshot) => Promise<void>
): PresenceRooms {
  const sockets = io.of('/').sockets;
  function emit(roomId: string, userId: number, online: boolean, except: string[]): void {
    const room = io.to(roomChannel(roomId));
    (except.length > 0 ? room.except(except) : room).emit('room:presence', { roomId, userId, online });
  }
  // A user's dot changes leave in the order they happened, though each waits for a query: a quick
  // offline-then-online must not arrive the other way round.
  const pending = new Map<number, Promise<void>>();
  return {
    presence(roomId, userId, online, exceptSocketId) {
      const except = exceptSocketId ? [exceptSocketId] : [];
      const previous = pending.get(userId) ?? Promise.resolve();
      const sent = previous
        .then(() => hiddenFrom(userId))
        .then(
          (hidden) => emit(roomId, userId, online, [...except, ...hidden.map(userChannel)]),
          // The database away: a dot is worth more than the block's secrecy for once.
          () => emit(roomId, userId, online, except)
        );
      pending.set(userId, sent);
      void sent.then(() => {
        if (pending.get(userId) === sent) pending.delete(userId);
      });
    },
    typing(roomId, snapshot) {
      // The database away: the list goes out at the next change or sweep.
      announceTyping(roomId, 'text', snapshot).catch(() => undefined);
    },
    *local() {
      for (const socket of sockets.values()) yield { socketId: socket.id, user: socket.data.user, roomIds: joinedRooms(socket) };
    },
    isIn(socketId, roomId) {
      return sockets.get(socketId)?.rooms.has(roomChannel(roomId)) ?? false;
    }
  };
}

const TOO_MANY_SOCKETS = `Too many connections: you have ${SOCKETS_PER_USER} tabs or devices open already. Close one and try again.`;

/**
 * Handshake: a user may hold SOCKETS_PER_USER sockets over every process, and the slot is given
 * back on disconnect (unless the server is shutting down: its process is forgotten whole). When
 * Redis cannot be asked, the connection is let in: the socket itself is harmless, and every
 * request it makes needs Redis.
 */
export function limitSocketsPerUser(presence: PresenceService, closing: () => boolean) {
  return (socket: AppSocket, next: (err?: ExtendedError) => void): void => {
    const userId = socket.data.user.id;
    presence.claimSocket(userId, socket.id, SOCKETS_PER_USER).then(
      (claimed) => {
        if (!claimed) return next(new Error(TOO_MANY_SOCKETS));
        socket.once('disconnect', () => {
          if (!closing()) presence.releaseSocket(userId, socket.id).catch(() => undefined);
        });
        next();
      },
      () => next()
    );
  };
}
