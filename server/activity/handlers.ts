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
  roomIdsOf: (userId: number) => string[];
}

export function createActivityHandlers({ io, activity, limits, requireMember, roomIdsOf }: ActivityHandlerDeps) {
  return {
    /**
     * At connect, before any await: the socket hears `room:activity` of every room of its user.
     * Membership changes later move it (followMembership in server/rooms/handlers.ts).
     */
    follow(socket: AppSocket): void {
      const channels = roomIdsOf(socket.data.user.id).map(activityChannel);
      if (channels.length > 0) void socket.join(channels);
    },

    async list(socket: AppSocket, _payload: ParsedPayloadOf<'rooms:activity'>): Promise<RoomActivity[]> {
      const userId = socket.data.user.id;
      await limits.activity(userId);
      return activity.list(userId, roomIdsOf(userId));
    },

    /** Marks the room read; every socket of the user hears it, so all devices agree. */
    async read(socket: AppSocket, { roomId }: RoomRef): Promise<undefined> {
      requireMember(socket, roomId);
      const userId = socket.data.user.id;
      await limits.markRead(userId);
      const seq = await activity.markRead(roomId, userId);
      if (seq >= 0) io.to(userChannel(userId)).emit('room:read', { roomId, seq });
      return undefined;
    }
  };
}

export type ActivityHandlers = ReturnType<typeof createActivityHandlers>;
