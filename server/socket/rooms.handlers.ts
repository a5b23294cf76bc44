import { SOCKET_READ_UNSENT_BYTES, TYPING_EXPIRE_MS, type HistoryOlderRequest, type HistoryPage, type RoomRef } from '../../src/lib/protocol/index.ts';
import { getHistoryPage } from '../redis/messages.ts';
import { getTyping } from '../redis/typing.ts';
import { unsentBytes } from './backpressure.ts';
import { joinedRooms, namedUsers, roomChannel, type AppSocket, type Realtime } from './context.ts';
import { notMember, rateLimited, SocketError } from './errors.ts';
import type { Presence } from './presence.ts';
import { InFlightLimiter, READS_IN_FLIGHT } from './rateLimiter.ts';

// room:join, room:leave, room:history-older, and what a closing socket leaves behind.

/** What the room handlers of one socket share. */
interface RoomSocket {
  socket: AppSocket;
  rt: Realtime;
  presence: Presence;
  reads: InFlightLimiter;
}

// The helpers live at module level, made once rather than once per socket (see handlers.ts).

/** Runs a read unless the socket already has too many in progress. */
async function read<T>(reads: InFlightLimiter, work: () => Promise<T>): Promise<T> {
  const result = await reads.run(async () => ({ value: await work() }));
  if (!result) throw rateLimited('Too many requests at once: slow down');
  return result.value;
}

/**
 * A history read is produced only for a socket that took what it was sent before, and within the
 * socket's and the user's read rate.
 */
async function admitRead({ socket, rt }: RoomSocket): Promise<void> {
  if (unsentBytes(socket) > SOCKET_READ_UNSENT_BYTES) throw rateLimited('Still sending you the last page: try again in a moment');
  await rt.limits.read(socket.id, socket.data.user.id);
}

/** Sends the page unless the socket can no longer take it (then it is being disconnected). */
function deliver(room: RoomSocket, page: HistoryPage): void {
  if (room.rt.backpressure.overBudget(room.socket)) return;
  room.socket.emit('room:history', page);
}

/** Why a user who is not a member cannot join: gone, full, or simply not theirs. */
function refusal(rt: Realtime, roomId: string): SocketError {
  const { queries } = rt.app;
  const room = queries.findRoomById.get(roomId);
  if (!room) return new SocketError('NOT_FOUND', 'This room does not exist');
  if ((queries.getRoomMemberCount.get(roomId)?.count ?? 0) >= room.max_members) return new SocketError('ROOM_FULL', 'This room is full');
  return notMember();
}

/** The room's newest history page, its members, and from now on everything said in it. */
async function enter(room: RoomSocket, roomId: string): Promise<undefined> {
  const { socket, rt, presence } = room;
  const { queries, redis } = rt.app;
  const channel = roomChannel(roomId);
  if (!socket.rooms.has(channel)) {
    if (!queries.isRoomMember.get(roomId, socket.data.user.id)) throw refusal(rt, roomId);
    // Joined in the same tick as the check: a removal arriving while history loads still
    // takes this socket out.
    void socket.join(channel);
  }
  const [page, entered, typing] = await Promise.all([
    getHistoryPage(redis, roomId),
    presence.enter(socket, roomId),
    getTyping(redis, roomId, Date.now() - TYPING_EXPIRE_MS)
  ]);
  // The page goes out once, as the event; the acknowledgement that follows only says "done".
  deliver(room, page ?? { roomId, messages: [], hasMore: false });
  socket.emit('room:members', { roomId, members: rt.membersOf(roomId, entered.online) });
  if (typing.length > 0) socket.emit('typing:update', { roomId, users: namedUsers(rt, typing) });
  return undefined;
}

async function exit({ socket, rt, presence }: RoomSocket, roomId: string): Promise<undefined> {
  const channel = roomChannel(roomId);
  if (!socket.rooms.has(channel)) {
    rt.requireMember(socket, roomId);
    return undefined;
  }
  void socket.leave(channel);
  await presence.exit(roomId, socket.id, socket.data.user.id);
  return undefined;
}

export function createRoomHandlers(socket: AppSocket, rt: Realtime, presence: Presence) {
  const room: RoomSocket = { socket, rt, presence, reads: new InFlightLimiter(READS_IN_FLIGHT) };

  return {
    async join({ roomId }: RoomRef): Promise<undefined> {
      await rt.limits.switchRoom(socket.data.user.id);
      await admitRead(room);
      return read(room.reads, () => enter(room, roomId));
    },

    async leave({ roomId }: RoomRef): Promise<undefined> {
      await rt.limits.switchRoom(socket.data.user.id);
      return read(room.reads, () => exit(room, roomId));
    },

    /** The page just before a message the client already shows (scrolling up), in the acknowledgement. */
    async historyOlder({ roomId, beforeId }: HistoryOlderRequest): Promise<HistoryPage> {
      rt.requireMember(socket, roomId);
      await admitRead(room);
      const page = await read(room.reads, () => getHistoryPage(rt.app.redis, roomId, beforeId));
      if (!page) throw new SocketError('NOT_FOUND', 'That message is not in this room');
      return page;
    },

    /** Called while the socket still knows its rooms: its connections there end. */
    disconnecting(): void {
      if (rt.closing) return;
      for (const roomId of joinedRooms(socket)) {
        // Redis away: the resync after it returns forgets this connection instead.
        presence.exit(roomId, socket.id, socket.data.user.id).catch(() => undefined);
      }
    }
  };
}
