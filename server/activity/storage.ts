import { previewOf, type Message, type MessagePreview, type RoomActivity } from '../../src/lib/protocol/index.ts';
import { lastMessageKey, MESSAGE_KEY_PREFIX, messageListHeadKey, messageListKey, readMarkersKey } from '../infra/keys.ts';
import { asArray, loadLua } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

// Read markers and the room list's summaries in Redis, beside the room's messages
// (docs/architecture.md#room-activity). `bbb:room:{roomId}:read` maps each member to the seq
// they have read up to; the store script moves the author's marker and writes the room's last
// message preview (`bbb:room:{roomId}:last`), so this module only reads those.

/** Ids looked at, at most, while counting one room's unread messages (tombstones included). */
const UNREAD_SCAN_BUDGET = 300;

const readScript = loadLua(new URL('./activity-read.lua', import.meta.url));
const summaryScript = loadLua(new URL('./activity-summary.lua', import.meta.url));

export function createActivityStore(redis: Redis) {
  return {
    /** Marks the room read up to its newest message; that message's seq (-1: the room is empty). */
    async markRead(roomId: string, userId: number): Promise<number> {
      return Number(await readScript.run(redis, [messageListKey(roomId), messageListHeadKey(roomId), readMarkersKey(roomId)], [userId]));
    },

    /** Forgets a former member's marker. */
    async forget(roomId: string, userId: number): Promise<void> {
      await redis.hdel(readMarkersKey(roomId), String(userId));
    },

    /**
     * The room as the user's room list shows it. Messages of `hidden` senders (people the user
     * blocked) are neither counted nor previewed (docs/architecture.md#friends-and-direct-messages).
     */
    async summary(roomId: string, userId: number, unreadMax: number, hidden: number[] = []): Promise<RoomActivity> {
      const keys = [messageListKey(roomId), messageListHeadKey(roomId), lastMessageKey(roomId), readMarkersKey(roomId)];
      const args = [userId, MESSAGE_KEY_PREFIX, unreadMax, UNREAD_SCAN_BUDGET, ...hidden];
      const [last, marker, unread, replaced] = asArray(await summaryScript.run(redis, keys, args));
      const json = String(last);
      const readSeq = Number(marker);
      if (Number(replaced) !== 1) return { roomId, last: json ? (JSON.parse(json) as MessagePreview) : null, readSeq, unread: Number(unread) };
      // The last message is hidden: the newest shown one, whole, stands in for it.
      if (!json) return { roomId, last: null, readSeq, unread: Number(unread) };
      const { seq, ...message } = JSON.parse(json) as Message & { seq: number };
      return { roomId, last: previewOf(message, seq), readSeq, unread: Number(unread) };
    }
  };
}

export type ActivityStore = ReturnType<typeof createActivityStore>;
