import {
  HISTORY_PAGE_MAX_BYTES,
  HISTORY_PAGE_SIZE,
  MESSAGE_TTL_SECONDS,
  SEND_INTERVAL_SECONDS,
  type Emoji,
  type HistoryPage,
  type Message,
  type Reaction
} from '../../src/lib/protocol/index.ts';
import type { Redis } from '../infra/redis.ts';
import {
  MESSAGE_KEY_PREFIX,
  messageKey,
  messageListHeadKey,
  messageListKey,
  reactionRateKey,
  roomKeys,
  sendRateKey,
  typingKey
} from '../infra/keys.ts';
import { asArray, asStrings, LuaScript } from '../infra/lua.ts';
import { FRESH_TYPERS_LUA } from './typing.ts';

// Messages of a room in Redis (docs/architecture.md#redis-keys): `bbb:msg:{id}` holds the message as JSON for
// 48 h, `bbb:room:{roomId}:msglist` lists ids in send order.
//
// Stored layout: {"reactions":[...],"roomId":"…","userId":N,…the rest of the Message…,"seq":N}.
// Reactions and room come first so the Lua scripts can check the room and rewrite reactions
// without decoding a drawing of up to 256 KB; `seq` (position since the room began) comes last so
// an older page is found by arithmetic instead of a scan of the list.
//
// A deleted message leaves a tombstone `x:{roomId}:{seq}` with the message's remaining TTL, not a
// hole: positions stay exact, and every id in the list keeps a key until it expires. Because all
// messages share one TTL and are pushed in time order, a missing key means expired, and so is
// everything before it: the expired ids form a prefix of the list, trimmed as a whole.

/** Ids scanned at most while filling one page past tombstones (once it holds a message). */
const PAGE_SCAN_BUDGET = 1000;

const ROOM_OF_MESSAGE_LUA = `
-- The room and where its header ends, read from the fixed layout without decoding the message.
local function roomOf(raw)
  local s, e = string.find(raw, ',"roomId":"', 1, true)
  if not s then return nil end
  local close = string.find(raw, '"', e + 1, true)
  return string.sub(raw, e + 1, close - 1), s, close
end
`;

const storeScript = new LuaScript(`
${FRESH_TYPERS_LUA}
-- KEYS: message, msglist, head, send rate, typing
-- ARGV: JSON without its seq, TTL seconds, message id, user id, send interval (0: no limit), typing cut-off
if ARGV[5] ~= '0' and not redis.call('SET', KEYS[4], '1', 'EX', ARGV[5], 'NX') then
  return {0}
end
local length = redis.call('RPUSH', KEYS[2], ARGV[3])
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
local seq = head + length - 1
redis.call('SET', KEYS[1], ARGV[1] .. seq .. '}', 'EX', ARGV[2])
-- Sending a message ends its author's typing.
if redis.call('HDEL', KEYS[5], ARGV[4]) == 1 then
  return {1, seq, 1, freshTypers(KEYS[5], ARGV[6])}
end
return {1, seq, 0}
`);

const historyScript = new LuaScript(`
${ROOM_OF_MESSAGE_LUA}
-- KEYS: msglist, head
-- ARGV: message key prefix, room id, before id ('' for the newest page), page size, scan budget, page bytes
local list, headKey, prefix, roomId, beforeId = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
local pageSize, budget, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local head = tonumber(redis.call('GET', headKey) or '0')
local len = redis.call('LLEN', list)

local function trim(count)
  redis.call('LTRIM', list, count, -1)
  redis.call('INCRBY', headKey, count)
  head = head + count
  len = len - count
end
local function kept(index)
  local id = redis.call('LINDEX', list, index)
  return id and redis.call('EXISTS', prefix .. id) == 1
end

local stop
if beforeId == '' then
  -- Trim the expired prefix: gallop to a kept id, then binary search its start. One EXISTS when
  -- nothing expired; O(log n) steps otherwise, however long the history.
  if len > 0 and not kept(0) then
    local lo, hi = 0, 1
    while hi < len and not kept(hi) do lo = hi; hi = hi * 2 end
    if hi > len then hi = len end
    while hi - lo > 1 do
      local mid = math.floor((lo + hi) / 2)
      if kept(mid) then hi = mid else lo = mid end
    end
    trim(hi)
  end
  stop = len
else
  local raw = redis.call('GET', prefix .. beforeId)
  if not raw then return {'expired'} end
  local room, seq
  if string.sub(raw, 1, 1) == '{' then
    room = roomOf(raw)
    seq = string.match(raw, '"seq":(%d+)}$')
  else
    room, seq = string.match(raw, '^x:([^:]*):(%d+)$')
  end
  if room ~= roomId or not seq then return {'missing'} end
  stop = math.min(tonumber(seq) - head, len)
end

-- Walk back from stop until the page is full (in count or bytes), skipping tombstones. Small
-- batches: a room of large drawings fills the byte budget after a few, and reading more would
-- copy megabytes inside Redis for nothing.
local found = {}
local bytes = 0
local scanned = 0
local expiredAt = -1
local full = false
while #found < pageSize and stop > 0 do
  local start = math.max(0, stop - math.min(pageSize - #found, 10))
  local ids = redis.call('LRANGE', list, start, stop - 1)
  if #ids == 0 then break end
  local keys = {}
  for i = 1, #ids do keys[i] = prefix .. ids[i] end
  local bodies = redis.call('MGET', unpack(keys))
  for i = #bodies, 1, -1 do
    local body = bodies[i]
    if not body then expiredAt = start + i - 1; break end
    if string.sub(body, 1, 1) == '{' then
      -- The page ends before the message that would pass the budget: that one starts the next page.
      if #found > 0 and bytes + #body > maxBytes then full = true; stop = start + i; break end
      found[#found + 1] = body
      bytes = bytes + #body
    end
  end
  if expiredAt >= 0 or full then break end
  stop = start
  scanned = scanned + #ids
  if scanned >= budget and #found > 0 then break end
end
if expiredAt >= 0 then
  trim(expiredAt + 1)
  stop = 0
end
local reply = {'ok', stop > 0 and 1 or 0}
for i = 1, #found do reply[#reply + 1] = found[i] end
return reply
`);

const reactionScript = new LuaScript(`
${ROOM_OF_MESSAGE_LUA}
-- KEYS: message, reaction rate
-- ARGV: room id, user id, emoji, '1' to add / '0' to remove, reactions allowed per second
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], 1) end
if count > tonumber(ARGV[5]) then return {'rate'} end

local raw = redis.call('GET', KEYS[1])
local prefix = '{"reactions":'
if not raw or string.sub(raw, 1, #prefix) ~= prefix then return {'missing'} end
local room, headerEnd = roomOf(raw)
if room ~= ARGV[1] then return {'missing'} end

local reactions = cjson.decode(string.sub(raw, #prefix + 1, headerEnd - 1))
local userId, emoji, adding = tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1'
local entry, entryIndex
for i, r in ipairs(reactions) do
  if r.emoji == emoji then entry, entryIndex = r, i end
end
local changed = false
if adding then
  if not entry then
    entry = {emoji = emoji, userIds = {}}
    reactions[#reactions + 1] = entry
  end
  local present = false
  for _, id in ipairs(entry.userIds) do if id == userId then present = true end end
  if not present then
    entry.userIds[#entry.userIds + 1] = userId
    changed = true
  end
elseif entry then
  local rest = {}
  for _, id in ipairs(entry.userIds) do
    if id == userId then changed = true else rest[#rest + 1] = id end
  end
  entry.userIds = rest
  if #rest == 0 then table.remove(reactions, entryIndex) end
end

-- Written by hand: cjson would turn an empty list into {} and big numbers into exponents.
local parts = {}
for _, r in ipairs(reactions) do
  local ids = {}
  for i, id in ipairs(r.userIds) do ids[i] = string.format('%d', id) end
  parts[#parts + 1] = '{"emoji":"' .. r.emoji .. '","userIds":[' .. table.concat(ids, ',') .. ']}'
end
local json = '[' .. table.concat(parts, ',') .. ']'
if changed then
  redis.call('SET', KEYS[1], prefix .. json .. string.sub(raw, headerEnd), 'KEEPTTL')
end
return {'ok', changed and 1 or 0, json}
`);

const deleteScript = new LuaScript(`
${ROOM_OF_MESSAGE_LUA}
-- KEYS: message
-- ARGV: room id, user id
local raw = redis.call('GET', KEYS[1])
if not raw or string.sub(raw, 1, 1) ~= '{' then return {'missing'} end
local room, _, roomEnd = roomOf(raw)
if room ~= ARGV[1] then return {'missing'} end
if string.match(raw, '^,"userId":(%d+)', roomEnd + 1) ~= ARGV[2] then return {'forbidden'} end
local seq = string.match(raw, '"seq":(%d+)}$')
redis.call('SET', KEYS[1], 'x:' .. room .. ':' .. seq, 'KEEPTTL')
return {'ok', raw}
`);

/** The stored JSON, in the layout the scripts rely on, without its closing seq. */
function serializeWithoutSeq(message: Message): string {
  const { reactions, roomId, userId, ...rest } = message;
  const json = JSON.stringify({ reactions, roomId, userId, ...rest });
  return `${json.slice(0, -1)},"seq":`;
}

function parseStored(raw: string): Message {
  const { seq: _seq, ...message } = JSON.parse(raw) as Message & { seq: number };
  return message as Message;
}

export type StoreResult =
  | { stored: false }
  | {
      stored: true;
      /** The typing users left after the author stopped typing, when the author was typing. */
      typing: number[] | null;
    };

/**
 * Stores a new message at the end of its room, with SET + RPUSH in one atomic step. With
 * `limitSends`, the author's one-message-a-second limit is taken in the same step and nothing is
 * stored when it is spent.
 */
export async function storeMessage(redis: Redis, message: Message, options: { limitSends: boolean; typingCutoff: number }): Promise<StoreResult> {
  const reply = asArray(
    await storeScript.run(
      redis,
      [messageKey(message.id), messageListKey(message.roomId), messageListHeadKey(message.roomId), sendRateKey(message.userId), typingKey(message.roomId)],
      [
        serializeWithoutSeq(message),
        MESSAGE_TTL_SECONDS,
        message.id,
        message.userId,
        options.limitSends ? SEND_INTERVAL_SECONDS : 0,
        options.typingCutoff
      ]
    )
  );
  if (Number(reply[0]) !== 1) return { stored: false };
  return { stored: true, typing: Number(reply[2]) === 1 ? asStrings(reply[3]).map(Number) : null };
}

/**
 * A page of the room's history, oldest first: the newest page, or the one just before
 * `beforeId`. At most HISTORY_PAGE_SIZE messages and HISTORY_PAGE_MAX_BYTES of stored JSON
 * (one message always fits). Null when `beforeId` is not a message of this room.
 */
export async function getHistoryPage(redis: Redis, roomId: string, beforeId?: string): Promise<HistoryPage | null> {
  const reply = asArray(
    await historyScript.run(
      redis,
      [messageListKey(roomId), messageListHeadKey(roomId)],
      [MESSAGE_KEY_PREFIX, roomId, beforeId ?? '', HISTORY_PAGE_SIZE, PAGE_SCAN_BUDGET, HISTORY_PAGE_MAX_BYTES]
    )
  );
  const status = String(reply[0]);
  // Everything before an expired message has expired too.
  if (status === 'expired') return { roomId, messages: [], hasMore: false };
  if (status !== 'ok') return null;
  const bodies = reply.slice(2).map(String).reverse();
  return { roomId, messages: bodies.map(parseStored), hasMore: Number(reply[1]) === 1 };
}

export type ReactionResult =
  | { status: 'rate-limited' }
  | { status: 'missing' }
  | { status: 'ok'; changed: boolean; reactions: Reaction[] };

/**
 * Adds or removes one user's emoji on a message of the room, atomically (sixteen people reacting
 * at once all count) and keeping the message's remaining TTL. Also spends one of the user's
 * reactions for this second.
 */
export async function updateReaction(
  redis: Redis,
  change: { roomId: string; messageId: string; userId: number; emoji: Emoji; add: boolean; perSecond: number }
): Promise<ReactionResult> {
  const reply = asArray(
    await reactionScript.run(
      redis,
      [messageKey(change.messageId), reactionRateKey(change.userId)],
      [change.roomId, change.userId, change.emoji, change.add ? '1' : '0', change.perSecond]
    )
  );
  const status = String(reply[0]);
  if (status === 'rate') return { status: 'rate-limited' };
  if (status !== 'ok') return { status: 'missing' };
  return { status: 'ok', changed: Number(reply[1]) === 1, reactions: JSON.parse(String(reply[2])) as Reaction[] };
}

export type DeleteResult = { status: 'missing' } | { status: 'forbidden' } | { status: 'deleted'; message: Message };

/** Deletes a message of the room if `userId` wrote it; answers what it was (to remove its image). */
export async function deleteMessage(redis: Redis, roomId: string, messageId: string, userId: number): Promise<DeleteResult> {
  const reply = asArray(await deleteScript.run(redis, [messageKey(messageId)], [roomId, userId]));
  const status = String(reply[0]);
  if (status === 'forbidden') return { status: 'forbidden' };
  if (status !== 'ok') return { status: 'missing' };
  return { status: 'deleted', message: parseStored(String(reply[1])) };
}

/** How many message ids a room deletion removes per round trip. */
const DELETE_BATCH = 1000;

/**
 * Removes everything a room kept in Redis. The id list is first renamed away in one step, so the
 * room is gone at once; its message keys are then deleted in batches so Redis never blocks long.
 */
export async function deleteRoomMessages(redis: Redis, roomId: string, deletionId: string): Promise<void> {
  const list = messageListKey(roomId);
  const trash = `bbb:trash:${roomId}:${deletionId}`;
  const [renamed] = (await redis.multi().renamenx(list, trash).expire(trash, MESSAGE_TTL_SECONDS).exec()) ?? [];
  await redis.unlink(...roomKeys(roomId));
  if (!renamed || renamed[0]) return; // no list: the room had no messages
  for (;;) {
    const ids = await redis.lpop(trash, DELETE_BATCH);
    if (!ids || ids.length === 0) break;
    await redis.unlink(...ids.map(messageKey));
  }
  await redis.unlink(trash);
}
