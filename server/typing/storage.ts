import type { TypingKind } from '../../src/lib/protocol/index.ts';
import { drawingKey, typingKey } from '../infra/keys.ts';
import { asArray, asStrings, loadLua, LUA_HELPERS } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

// Who is typing in a room: a hash of user id -> timestamp (ms) of their last typing:start. An
// entry older than the cut-off no longer counts and is swept away. Start and stop answer the user
// ids still typing when the set changed, or null when it did not, so only real changes are
// broadcast. Drawing has a hash of its own with the same rules (`kind`). Every change bumps the
// hash's version, and every list read carries the version it was read at, so a client can drop a
// list that arrives after a newer one (docs/architecture.md#snapshots-carry-versions).

const { typingVersion, freshTypers } = LUA_HELPERS;
const startScript = loadLua(typingVersion, freshTypers, new URL('./typing-start.lua', import.meta.url));
const stopScript = loadLua(typingVersion, freshTypers, new URL('./typing-stop.lua', import.meta.url));
const sweepScript = loadLua(typingVersion, new URL('./typing-sweep.lua', import.meta.url));

/** The hash field holding the version (typing-version.lua); never a user id. */
const VERSION_FIELD = '_v';

/** Rooms swept by one script call: one round trip for many rooms, each call still short. */
const SWEEP_BATCH = 500;

const keyOf = (roomId: string, kind: TypingKind) => (kind === 'drawing' ? drawingKey(roomId) : typingKey(roomId));

/** Who types in a room, as of a version of its typing hash. */
export interface Typers {
  userIds: number[];
  version: number;
}

function typers(reply: unknown): Typers | null {
  if (reply === null) return null;
  const [version, ids] = asArray(reply);
  return { version: Number(version), userIds: asStrings(ids).map(Number) };
}

export function createTypingStore(redis: Redis) {
  return {
    /** Marks the user typing (again); the new list when they were not typing before. */
    async start(roomId: string, userId: number, now: number, cutoff: number, kind: TypingKind = 'text'): Promise<Typers | null> {
      return typers(await startScript.run(redis, [keyOf(roomId, kind)], [userId, now, cutoff]));
    },

    async stop(roomId: string, userId: number, cutoff: number, kind: TypingKind = 'text'): Promise<Typers | null> {
      return typers(await stopScript.run(redis, [keyOf(roomId, kind)], [userId, cutoff]));
    },

    /**
     * Drops entries older than the cut-off in each room; answers the rooms where any was dropped,
     * with who is still typing there.
     */
    async sweep(roomIds: string[], cutoff: number, kind: TypingKind = 'text'): Promise<Map<string, Typers>> {
      const changed = new Map<string, Typers>();
      for (let from = 0; from < roomIds.length; from += SWEEP_BATCH) {
        const batch = roomIds.slice(from, from + SWEEP_BATCH);
        const reply = asStrings(await sweepScript.run(redis, batch.map((roomId) => keyOf(roomId, kind)), [cutoff]));
        for (let i = 0; i < reply.length; ) {
          const roomId = batch[Number(reply[i]) - 1];
          const version = Number(reply[i + 1]);
          const count = Number(reply[i + 2]);
          changed.set(roomId, { version, userIds: reply.slice(i + 3, i + 3 + count).map(Number) });
          i += 3 + count;
        }
      }
      return changed;
    },

    async current(roomId: string, cutoff: number, kind: TypingKind = 'text'): Promise<Typers> {
      const { [VERSION_FIELD]: version, ...entries } = await redis.hgetall(keyOf(roomId, kind));
      const userIds = Object.entries(entries)
        .filter(([, at]) => Number(at) >= cutoff)
        .map(([userId]) => Number(userId));
      return { version: Number(version ?? 0), userIds };
    }
  };
}

export type TypingStore = ReturnType<typeof createTypingStore>;
