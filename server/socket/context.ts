import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, Member, PublicUser, ServerToClientEvents } from '../../src/lib/protocol/index.ts';
import type { AppContext } from '../app.ts';
import { watchBackpressure, type Backpressure } from '../infra/backpressure.ts';
import { notMember } from './errors.ts';
import { createSocketLimits, type SocketLimits } from './rateLimiter.ts';

/** What the handshake leaves on every socket. */
export interface SocketData {
  user: PublicUser;
}

// No events between server processes besides the adapter's own.
type InterServerEvents = Record<never, never>;

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Socket.IO room of a chat room: every socket that joined it. */
export const roomChannel = (roomId: string) => `room:${roomId}`;
/** Socket.IO room of a user: all their tabs, on every process. */
export const userChannel = (userId: number) => `user:${userId}`;
const ROOM_CHANNEL_PREFIX = 'room:';

/** The chat rooms a socket has joined. */
export function joinedRooms(socket: AppSocket): string[] {
  const rooms: string[] = [];
  for (const channel of socket.rooms) if (channel.startsWith(ROOM_CHANNEL_PREFIX)) rooms.push(channel.slice(ROOM_CHANNEL_PREFIX.length));
  return rooms;
}

/** Chat rooms with at least one socket on this process. */
export function localRooms(io: IoServer): string[] {
  const rooms: string[] = [];
  for (const channel of io.of('/').adapter.rooms.keys()) if (channel.startsWith(ROOM_CHANNEL_PREFIX)) rooms.push(channel.slice(ROOM_CHANNEL_PREFIX.length));
  return rooms;
}

/** Everything the socket handlers share, built once per app. */
export interface Realtime {
  io: IoServer;
  app: AppContext;
  /** This process among the others on the same Redis. */
  instanceId: string;
  /** Set while the server shuts down: disconnects then need no bookkeeping. */
  closing: boolean;
  /** Per-user and per-socket request limits. */
  limits: SocketLimits;
  /** Unsent bytes per socket, and the cut-off past the budget. */
  backpressure: Backpressure;
  usernameOf(userId: number): string | undefined;
  /** The room's members with who is online, in the room's order. */
  membersOf(roomId: string, online: number[]): Member[];
  /**
   * Throws NOT_MEMBER unless the user belongs to the room. A socket inside the room's channel is a
   * member (removal takes sockets out of it at once), so SQLite is asked only otherwise.
   */
  requireMember(socket: AppSocket, roomId: string): void;
}

export function createRealtime(io: IoServer, app: AppContext, instanceId: string): Realtime {
  const usernames = new Map<number, string>();
  return {
    io,
    app,
    instanceId,
    closing: false,
    limits: createSocketLimits(app.redis),
    backpressure: watchBackpressure(io),
    usernameOf(userId) {
      let name = usernames.get(userId);
      if (name === undefined) {
        name = app.queries.findUserById.get(userId)?.username;
        // Names never change; a small bound keeps the cache from growing without end.
        if (name !== undefined) {
          if (usernames.size > 10_000) usernames.clear();
          usernames.set(userId, name);
        }
      }
      return name;
    },
    membersOf(roomId, online) {
      const onlineIds = new Set(online);
      return app.queries.getRoomMembers
        .all(roomId)
        .map((m) => ({ userId: m.user_id, username: m.username, online: onlineIds.has(m.user_id) }));
    },
    requireMember(socket, roomId) {
      if (socket.rooms.has(roomChannel(roomId))) return;
      if (!app.queries.isRoomMember.get(roomId, socket.data.user.id)) throw notMember();
    }
  };
}

/** User ids as the `{ userId, username }` pairs typing:update carries. */
export function namedUsers(rt: Realtime, userIds: number[]): { userId: number; username: string }[] {
  const users: { userId: number; username: string }[] = [];
  for (const userId of userIds) {
    const username = rt.usernameOf(userId);
    if (username !== undefined) users.push({ userId, username });
  }
  return users;
}
