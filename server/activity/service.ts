import { UNREAD_MAX, type RoomActivity } from '../../src/lib/protocol/index.ts';
import type { ActivityStore } from './storage.ts';

// What the room list shows of each room: its last message and my unread count, from read markers
// kept per user on the server so every device of mine agrees (docs/architecture.md#room-activity).

export function createActivityService({ store }: { store: ActivityStore }) {
  return {
    /** My rooms' activity, in the order given, without the messages of `hidden` senders (people I blocked). */
    list(userId: number, roomIds: string[], hidden: number[] = []): Promise<RoomActivity[]> {
      return Promise.all(roomIds.map((roomId) => store.summary(roomId, userId, UNREAD_MAX, hidden)));
    },

    /** I have read the room up to its newest message; answers that message's seq (-1: empty room). */
    markRead: (roomId: string, userId: number) => store.markRead(roomId, userId),

    /** A member left or was removed: their marker goes. */
    forget: (roomId: string, userId: number) => store.forget(roomId, userId)
  };
}

export type ActivityService = ReturnType<typeof createActivityService>;
