import type { Redis } from '../infra/redis.ts';
import {
  announcedKey,
  connectionsKey,
  INSTANCE_KEY_PREFIX,
  instanceKey,
  instanceReaperKey,
  instanceRoomsKey,
  INSTANCES_KEY,
  onlineKey,
  typingKey,
  userSocketsKey
} from '../infra/keys.ts';
import { asArray, asStrings, LuaScript } from '../infra/lua.ts';

// Presence counts connections, across server processes. `bbb:room:{roomId}:conns` maps each live
// connection (`{instanceId}/{socketId}`) to its user; the `online` set holds the users with
// at least one. A user with two tabs stays online until the last one leaves.
//
// Each process refreshes a heartbeat key. Connections of a process whose heartbeat is gone (it
// crashed) are pruned when anyone joins the room, and by a surviving process's reaper, so a
// crash cannot leave users online forever.

/** How often a process refreshes its heartbeat, and how long the heartbeat lives without it. */
export const HEARTBEAT_INTERVAL_MS = 5000;
export const HEARTBEAT_TTL_SECONDS = 15;

const PRUNE_LUA = `
-- Drops connections of processes without a heartbeat (never selfInstance); users left with no
-- connection go offline and stop typing. Returns those users.
local function prune(conns, online, typing, instancePrefix, selfInstance)
  local entries = redis.call('HGETALL', conns)
  local alive, liveUsers = {}, {}
  for i = 1, #entries, 2 do
    local field, user = entries[i], entries[i + 1]
    local instance = string.match(field, '^([^/]+)/')
    if instance and alive[instance] == nil then
      alive[instance] = instance == selfInstance or redis.call('EXISTS', instancePrefix .. instance) == 1
    end
    if instance and alive[instance] then
      liveUsers[user] = true
    else
      redis.call('HDEL', conns, field)
    end
  end
  local gone = {}
  for _, user in ipairs(redis.call('SMEMBERS', online)) do
    if not liveUsers[user] then
      redis.call('SREM', online, user)
      redis.call('HDEL', typing, user)
      gone[#gone + 1] = user
    end
  end
  return gone
end
`;

const joinScript = new LuaScript(`
${PRUNE_LUA}
-- KEYS: conns, online, typing, this instance's rooms, announced
-- ARGV: connection field, user id, room id, instance key prefix, this instance id
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[3])
local gone = prune(KEYS[1], KEYS[2], KEYS[3], ARGV[4], ARGV[5])
local added = redis.call('SADD', KEYS[2], ARGV[2])
-- The room hears of the arrival only when it was told the user had gone (or never heard of them).
local announce = 0
if added == 1 then announce = redis.call('HSETNX', KEYS[5], ARGV[2], '1') end
return {added, gone, redis.call('SMEMBERS', KEYS[2]), announce}
`);

const confirmGoneScript = new LuaScript(`
-- KEYS: online, announced; ARGV: user id
-- 1 when the user is offline and the room still believes them online: now it is to be told.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('HDEL', KEYS[2], ARGV[1])
`);

const leaveScript = new LuaScript(`
-- KEYS: conns, online, typing
-- ARGV: connection field, user id
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return {0, 0} end
for _, user in ipairs(redis.call('HVALS', KEYS[1])) do
  if user == ARGV[2] then return {0, 0} end
end
redis.call('SREM', KEYS[2], ARGV[2])
return {1, redis.call('HDEL', KEYS[3], ARGV[2])}
`);

const removeUserScript = new LuaScript(`
-- KEYS: conns, online, typing
-- ARGV: user id
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if entries[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[1], entries[i]) end
end
return {redis.call('SREM', KEYS[2], ARGV[1]), redis.call('HDEL', KEYS[3], ARGV[1])}
`);

const pruneScript = new LuaScript(`
${PRUNE_LUA}
-- KEYS: conns, online, typing; ARGV: instance key prefix, this instance id
return prune(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
`);

export interface Connection {
  roomId: string;
  userId: number;
  instanceId: string;
  socketId: string;
}

const field = (c: Connection) => `${c.instanceId}/${c.socketId}`;
const presenceKeys = (roomId: string) => [connectionsKey(roomId), onlineKey(roomId), typingKey(roomId)];

export interface JoinResult {
  /** The user had no connection in the room before this one. */
  cameOnline: boolean;
  /** The room was told the user had gone (or never saw them): announce the arrival. */
  announce: boolean;
  /** Users whose only connections belonged to a dead process: now offline. */
  wentOffline: number[];
  online: number[];
}

/** Records a connection in the room (idempotent). */
export async function addConnection(redis: Redis, c: Connection): Promise<JoinResult> {
  const [added, gone, online, announce] = asArray(
    await joinScript.run(redis, [...presenceKeys(c.roomId), instanceRoomsKey(c.instanceId), announcedKey(c.roomId)], [
      field(c),
      c.userId,
      c.roomId,
      INSTANCE_KEY_PREFIX,
      c.instanceId
    ])
  );
  return {
    cameOnline: Number(added) === 1,
    announce: Number(announce) === 1,
    wentOffline: asStrings(gone).map(Number),
    online: asStrings(online).map(Number)
  };
}

/**
 * True once for a user who is offline in the room although the room was last told they are
 * online: the caller announces the departure. False while they are back, or already announced.
 */
export async function confirmGone(redis: Redis, roomId: string, userId: number): Promise<boolean> {
  return Number(await confirmGoneScript.run(redis, [onlineKey(roomId), announcedKey(roomId)], [userId])) === 1;
}

export interface LeaveResult {
  /** That was the user's last connection in the room. */
  wentOffline: boolean;
  /** The user was typing and no longer is. */
  stoppedTyping: boolean;
}

/** Forgets a connection (idempotent: a second call changes nothing and reports nothing). */
export async function removeConnection(redis: Redis, c: Connection): Promise<LeaveResult> {
  const [offline, typing] = asArray(await leaveScript.run(redis, presenceKeys(c.roomId), [field(c), c.userId]));
  return { wentOffline: Number(offline) === 1, stoppedTyping: Number(typing) === 1 };
}

/** Forgets every connection of a user in the room (they left it, or were removed with it). */
export async function removeUser(redis: Redis, roomId: string, userId: number): Promise<LeaveResult> {
  const [offline, typing] = asArray(await removeUserScript.run(redis, presenceKeys(roomId), [userId]));
  return { wentOffline: Number(offline) === 1, stoppedTyping: Number(typing) === 1 };
}

/** Drops connections of dead processes from the room; the users that went offline. */
export async function pruneRoom(redis: Redis, roomId: string, selfInstanceId: string): Promise<number[]> {
  return asStrings(await pruneScript.run(redis, presenceKeys(roomId), [INSTANCE_KEY_PREFIX, selfInstanceId])).map(Number);
}

export async function getOnline(redis: Redis, roomId: string): Promise<number[]> {
  return (await redis.smembers(onlineKey(roomId))).map(Number);
}

/** The connections this process recorded in a room: `socketId -> userId`. */
export async function instanceConnections(redis: Redis, roomId: string, instanceId: string): Promise<Map<string, number>> {
  const entries = await redis.hgetall(connectionsKey(roomId));
  const mine = new Map<string, number>();
  const prefix = `${instanceId}/`;
  for (const [key, userId] of Object.entries(entries)) {
    if (key.startsWith(prefix)) mine.set(key.slice(prefix.length), Number(userId));
  }
  return mine;
}

export async function instanceRooms(redis: Redis, instanceId: string): Promise<string[]> {
  return redis.smembers(instanceRoomsKey(instanceId));
}

/** Refreshes this process's heartbeat. */
export async function heartbeat(redis: Redis, instanceId: string): Promise<void> {
  await redis.multi().set(instanceKey(instanceId), '1', 'EX', HEARTBEAT_TTL_SECONDS).sadd(INSTANCES_KEY, instanceId).exec();
}

/** Every registered process whose heartbeat has stopped. */
export async function silentInstances(redis: Redis, selfInstanceId: string): Promise<string[]> {
  const ids = (await redis.smembers(INSTANCES_KEY)).filter((id) => id !== selfInstanceId);
  if (ids.length === 0) return [];
  const exists = await Promise.all(ids.map((id) => redis.exists(instanceKey(id))));
  return ids.filter((_, i) => exists[i] === 0);
}

/** Lets exactly one survivor clean up after a dead process. */
export async function claimReaping(redis: Redis, deadInstanceId: string): Promise<boolean> {
  return (await redis.set(instanceReaperKey(deadInstanceId), '1', 'EX', 60, 'NX')) === 'OK';
}

/** Forgets a process: its heartbeat, its room list, its registration. */
export async function forgetInstance(redis: Redis, instanceId: string): Promise<void> {
  await redis
    .multi()
    .del(instanceKey(instanceId), instanceRoomsKey(instanceId), instanceReaperKey(instanceId))
    .srem(INSTANCES_KEY, instanceId)
    .exec();
}

const claimSocketScript = new LuaScript(`
-- KEYS: the user's sockets
-- ARGV: connection field, most sockets allowed, instance key prefix, this instance id, key TTL seconds
-- Sockets of processes without a heartbeat are forgotten first, so a crash frees its slots.
local count, alive = 0, {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local instance = string.match(f, '^([^/]+)/')
  if instance and alive[instance] == nil then
    alive[instance] = instance == ARGV[4] or redis.call('EXISTS', ARGV[3] .. instance) == 1
  end
  if instance and alive[instance] then count = count + 1 else redis.call('HDEL', KEYS[1], f) end
end
if count >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`);

/** A user's sockets are forgotten this long after their last connection (longer than a session). */
const USER_SOCKETS_TTL_SECONDS = 8 * 24 * 60 * 60;

/** Counts a new socket of the user over every process; false when they already have `max`. */
export async function claimSocketSlot(redis: Redis, userId: number, instanceId: string, socketId: string, max: number): Promise<boolean> {
  const reply = await claimSocketScript.run(redis, [userSocketsKey(userId)], [
    `${instanceId}/${socketId}`,
    max,
    INSTANCE_KEY_PREFIX,
    instanceId,
    USER_SOCKETS_TTL_SECONDS
  ]);
  return Number(reply) === 1;
}

export async function releaseSocketSlot(redis: Redis, userId: number, instanceId: string, socketId: string): Promise<void> {
  await redis.hdel(userSocketsKey(userId), `${instanceId}/${socketId}`);
}
