import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, PublicUser, ServerToClientEvents } from '../../src/lib/protocol/index.ts';

// Socket.IO typed with the contract (src/lib/protocol/events.ts), and the channels sockets join.

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
/**
 * Socket.IO room of a chat room's activity: every socket of every member, wherever they are in the
 * app (the room list and the tab title follow all their rooms). Joined at connect and on joining.
 */
export const activityChannel = (roomId: string) => `activity:${roomId}`;
const ROOM_CHANNEL_PREFIX = 'room:';

function chatRooms(channels: Iterable<string>): string[] {
  const rooms: string[] = [];
  for (const channel of channels) if (channel.startsWith(ROOM_CHANNEL_PREFIX)) rooms.push(channel.slice(ROOM_CHANNEL_PREFIX.length));
  return rooms;
}

/** The chat rooms a socket has joined. */
export const joinedRooms = (socket: AppSocket): string[] => chatRooms(socket.rooms);

/** Chat rooms with at least one socket on this process. */
export const localRooms = (io: IoServer): string[] => chatRooms(io.of('/').adapter.rooms.keys());

/** Throws NOT_MEMBER unless the socket's user belongs to the room. */
export type MemberGate = (socket: AppSocket, roomId: string) => Promise<void>;

/**
 * A socket inside the room's channel is a member (a removal takes sockets out of it at once), so
 * `requireMember` (the database) is asked only for the others.
 */
export function memberGate(requireMember: (roomId: string, userId: number) => Promise<void>): MemberGate {
  return async (socket, roomId) => {
    if (!socket.rooms.has(roomChannel(roomId))) await requireMember(roomId, socket.data.user.id);
  };
}
