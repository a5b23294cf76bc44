import type { Redis } from '../infra/redis.ts';
import { typingKey } from '../infra/keys.ts';
import { asStrings, LuaScript } from '../infra/lua.ts';

// Who is typing in a room: a hash of user id -> timestamp (ms) of their last
// typing:start. An entry older than TYPING_EXPIRE_MS no longer counts and is swept away.
// Each function answers the user ids still typing when the set changed, or null when it did not,
// so only real changes are broadcast.

/** Lua helper shared with the message store: ids whose entry is at or after the cut-off. */
export const FRESH_TYPERS_LUA = `
local function freshTypers(key, cutoff)
  local entries = redis.call('HGETALL', key)
  local users = {}
  for i = 1, #entries, 2 do
    if tonumber(entries[i + 1]) >= tonumber(cutoff) then users[#users + 1] = entries[i] end
  end
  return users
end
`;

const startScript = new LuaScript(`
${FRESH_TYPERS_LUA}
-- KEYS: typing; ARGV: user id, now, cut-off
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
return freshTypers(KEYS[1], ARGV[3])
`);

const stopScript = new LuaScript(`
${FRESH_TYPERS_LUA}
-- KEYS: typing; ARGV: user id, cut-off
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return false end
return freshTypers(KEYS[1], ARGV[2])
`);

const sweepScript = new LuaScript(`
-- KEYS: typing hashes of several rooms; ARGV: cut-off
-- Answers, for each room where an entry was dropped: its position in KEYS, how many are still
-- typing, and their ids.
local out = {}
for k = 1, #KEYS do
  local entries = redis.call('HGETALL', KEYS[k])
  local users, removed = {}, 0
  for i = 1, #entries, 2 do
    if tonumber(entries[i + 1]) < tonumber(ARGV[1]) then
      redis.call('HDEL', KEYS[k], entries[i])
      removed = removed + 1
    else
      users[#users + 1] = entries[i]
    end
  end
  if removed > 0 then
    out[#out + 1] = k
    out[#out + 1] = #users
    for _, user in ipairs(users) do out[#out + 1] = user end
  end
end
return out
`);

/** Rooms swept by one script call: one round trip for many rooms, each call still short. */
const SWEEP_BATCH = 500;

function userIds(reply: unknown): number[] | null {
  return reply === null ? null : asStrings(reply).map(Number);
}

/** Marks the user typing (again); the new list when they were not typing before. */
export async function startTyping(redis: Redis, roomId: string, userId: number, now: number, cutoff: number): Promise<number[] | null> {
  return userIds(await startScript.run(redis, [typingKey(roomId)], [userId, now, cutoff]));
}

export async function stopTyping(redis: Redis, roomId: string, userId: number, cutoff: number): Promise<number[] | null> {
  return userIds(await stopScript.run(redis, [typingKey(roomId)], [userId, cutoff]));
}

/**
 * Drops entries older than the cut-off in each room; answers the rooms where any was dropped,
 * with who is still typing there.
 */
export async function sweepTyping(redis: Redis, roomIds: string[], cutoff: number): Promise<Map<string, number[]>> {
  const changed = new Map<string, number[]>();
  for (let from = 0; from < roomIds.length; from += SWEEP_BATCH) {
    const batch = roomIds.slice(from, from + SWEEP_BATCH);
    const reply = asStrings(await sweepScript.run(redis, batch.map(typingKey), [cutoff]));
    for (let i = 0; i < reply.length; ) {
      const roomId = batch[Number(reply[i]) - 1];
      const count = Number(reply[i + 1]);
      changed.set(roomId, reply.slice(i + 2, i + 2 + count).map(Number));
      i += 2 + count;
    }
  }
  return changed;
}

export async function getTyping(redis: Redis, roomId: string, cutoff: number): Promise<number[]> {
  const entries = await redis.hgetall(typingKey(roomId));
  return Object.entries(entries)
    .filter(([, at]) => Number(at) >= cutoff)
    .map(([userId]) => Number(userId));
}
