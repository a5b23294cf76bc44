import type { ParsedPayloadOf, RoomActivity, RoomRef } from '../../src/lib/protocol/index.ts';
import type { SocketLimits } from '../infra/limits.ts';
import { activityChannel, userChannel, type AppSocket, type IoServer, type MemberGate } from '../infra/socket.ts';
import type { ActivityService } from './service.ts';

// rooms:activity and room:read, and the activity channels every socket follows
// (docs/architecture.md#room-activity).

export interface ActivityHandlerDeps {
  io: IoServer;
  activity: ActivityService;
  limits: SocketLimits;
  requireMember: MemberGate;
  /** The ids of the user's rooms (at most USER_MAX_ROOMS). */
  roomIdsOf: (userId: number) => Promise<string[]>;
  /** The people a user blocked: their messages neither count as unread nor show as the last one. */
  hiddenSenders: (userId: number) => Promise<number[]>;
}

export function createActivityHandlers({ io, activity, limits, requireMember, roomIdsOf, hiddenSenders }: ActivityHandlerDeps) {
  /** Each socket's joining of its activity channels, which `list` waits for. */
  const following = new WeakMap<AppSocket, Promise<void>>();

  /**
   * Joins the channels of the user's rooms. Membership changes meanwhile move the socket too
   * (followMembership in server/rooms/handlers.ts, through the user's channel it is already in);
   * the rooms are read once more after joining, and any left meanwhile are left again.
   */
  async function joinActivity(socket: AppSocket): Promise<void> {
    const userId = socket.data.user.id;
    const first = await roomIdsOf(userId);
    if (first.length > 0) await socket.join(first.map(activityChannel));
    const now = new Set(await roomIdsOf(userId));
    for (const roomId of first) if (!now.has(roomId)) await socket.leave(activityChannel(roomId));
  }

  return {
    /**
     * At connect, once the socket is in its user's channel: it comes to hear `room:activity` of
     * every room of its user. A room list asked for meanwhile is read once the channels are joined,
     * so no activity falls between the two.
     */
    follow(socket: AppSocket): void {
      const joined = joinActivity(socket).catch((err: unknown) => console.error('[activity] following rooms:', err));
      following.set(socket, joined);
    },

    async list(socket: AppSocket, _payload: ParsedPayloadOf<'rooms:activity'>): Promise<RoomActivity[]> {
      const userId = socket.data.user.id;
      await limits.activity(userId);
      await following.get(socket);
      const [roomIds, hidden] = await Promise.all([roomIdsOf(userId), hiddenSenders(userId)]);
      return activity.list(userId, roomIds, hidden);
    },

    /** Marks the room read; every socket of the user hears it, so all devices agree. */
    async read(socket: AppSocket, { roomId }: RoomRef): Promise<undefined> {
      await requireMember(socket, roomId);
      const userId = socket.data.user.id;
      await limits.markRead(userId);
      const seq = await activity.markRead(roomId, userId);
      if (seq >= 0) io.to(userChannel(userId)).emit('room:read', { roomId, seq });
      return undefined;
    }
  };
}

export type ActivityHandlers = ReturnType<typeof createActivityHandlers>;
