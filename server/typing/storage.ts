import type { TypingKind } from '../../src/lib/protocol/index.ts';
import { drawingKey, typingKey } from '../infra/keys.ts';
import { asStrings, loadLua, LUA_HELPERS } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

// Who is typing in a room: a hash of user id -> timestamp (ms) of their last typing:start. An
// entry older than the cut-off no longer counts and is swept away. Start and stop answer the user
// ids still typing when the set changed, or null when it did not, so only real changes are
// broadcast. Drawing has a hash of its own with the same rules (`kind`).

const startScript = loadLua(LUA_HELPERS.freshTypers, new URL('./typing-start.lua', import.meta.url));
const stopScript = loadLua(LUA_HELPERS.freshTypers, new URL('./typing-stop.lua', import.meta.url));
const sweepScript = loadLua(new URL('./typing-sweep.lua', import.meta.url));

/** Rooms swept by one script call: one round trip for many rooms, each call still short. */
const SWEEP_BATCH = 500;

const keyOf = (roomId: string, kind: TypingKind) => (kind === 'drawing' ? drawingKey(roomId) : typingKey(roomId));

function userIds(reply: unknown): number[] | null {
  return reply === null ? null : asStrings(reply).map(Number);
}

export function createTypingStore(redis: Redis) {
  return {
    /** Marks the user typing (again); the new list when they were not typing before. */
    async start(roomId: string, userId: number, now: number, cutoff: number, kind: TypingKind = 'text'): Promise<number[] | null> {
      return userIds(await startScript.run(redis, [keyOf(roomId, kind)], [userId, now, cutoff]));
    },

    async stop(roomId: string, userId: number, cutoff: number, kind: TypingKind = 'text'): Promise<number[] | null> {
      return userIds(await stopScript.run(redis, [keyOf(roomId, kind)], [userId, cutoff]));
    },

    /**
     * Drops entries older than the cut-off in each room; answers the rooms where any was dropped,
     * with who is still typing there.
     */
    async sweep(roomIds: string[], cutoff: number, kind: TypingKind = 'text'): Promise<Map<string, number[]>> {
      const changed = new Map<string, number[]>();
      for (let from = 0; from < roomIds.length; from += SWEEP_BATCH) {
        const batch = roomIds.slice(from, from + SWEEP_BATCH);
        const reply = asStrings(await sweepScript.run(redis, batch.map((roomId) => keyOf(roomId, kind)), [cutoff]));
        for (let i = 0; i < reply.length; ) {
          const roomId = batch[Number(reply[i]) - 1];
          const count = Number(reply[i + 1]);
          changed.set(roomId, reply.slice(i + 2, i + 2 + count).map(Number));
          i += 2 + count;
        }
      }
      return changed;
    },

    async current(roomId: string, cutoff: number, kind: TypingKind = 'text'): Promise<number[]> {
      const entries = await redis.hgetall(keyOf(roomId, kind));
      return Object.entries(entries)
        .filter(([, at]) => Number(at) >= cutoff)
        .map(([userId]) => Number(userId));
    }
  };
}

export type TypingStore = ReturnType<typeof createTypingStore>;
