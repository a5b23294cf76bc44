import {
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
import { asArray, asStrings, loadLua, LUA_HELPERS } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

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

/** A user's sockets are forgotten this long after their last connection (longer than a session). */
const USER_SOCKETS_TTL_SECONDS = 8 * 24 * 60 * 60;

const lua = (name: string) => new URL(name, import.meta.url);
const pruneHelper = lua('./presence-prune-helper.lua');
// Presence ends the typing of users who go: those scripts bump the typing version too.
const { typingVersion } = LUA_HELPERS;
const joinScript = loadLua(typingVersion, pruneHelper, lua('./presence-join.lua'));
const pruneScript = loadLua(typingVersion, pruneHelper, lua('./presence-prune.lua'));
const leaveScript = loadLua(typingVersion, lua('./presence-leave.lua'));
const removeUserScript = loadLua(typingVersion, lua('./presence-remove-user.lua'));
const claimSocketScript = loadLua(lua('./presence-claim-socket.lua'));

export interface Connection {
  roomId: string;
  userId: number;
  instanceId: string;
  socketId: string;
}

export interface JoinResult {
  /** The user had no connection in the room before this one. */
  cameOnline: boolean;
  /** Users whose only connections belonged to a dead process: now offline. */
  wentOffline: number[];
  online: number[];
}

export interface LeaveResult {
  /** That was the user's last connection in the room. */
  wentOffline: boolean;
  /** The user was typing and no longer is. */
  stoppedTyping: boolean;
}

const field = (c: Pick<Connection, 'instanceId' | 'socketId'>) => `${c.instanceId}/${c.socketId}`;
const presenceKeys = (roomId: string) => [connectionsKey(roomId), onlineKey(roomId), typingKey(roomId)];

function leaveResult(reply: unknown): LeaveResult {
  const [offline, typing] = asArray(reply);
  return { wentOffline: Number(offline) === 1, stoppedTyping: Number(typing) === 1 };
}

export function createPresenceStore(redis: Redis) {
  return {
    /** Records a connection in the room (idempotent). */
    async addConnection(c: Connection): Promise<JoinResult> {
      const keys = [...presenceKeys(c.roomId), instanceRoomsKey(c.instanceId)];
      const [added, gone, online] = asArray(await joinScript.run(redis, keys, [field(c), c.userId, c.roomId, INSTANCE_KEY_PREFIX, c.instanceId]));
      return {
        cameOnline: Number(added) === 1,
        wentOffline: asStrings(gone).map(Number),
        online: asStrings(online).map(Number)
      };
    },

    /** Forgets a connection (idempotent: a second call changes nothing and reports nothing). */
    async removeConnection(c: Connection): Promise<LeaveResult> {
      return leaveResult(await leaveScript.run(redis, presenceKeys(c.roomId), [field(c), c.userId]));
    },

    /** Forgets every connection of a user in the room (they left it, or were removed with it). */
    async removeUser(roomId: string, userId: number): Promise<LeaveResult> {
      return leaveResult(await removeUserScript.run(redis, presenceKeys(roomId), [userId]));
    },

    /** Drops connections of dead processes from the room; the users that went offline. */
    async pruneRoom(roomId: string, selfInstanceId: string): Promise<number[]> {
      return asStrings(await pruneScript.run(redis, presenceKeys(roomId), [INSTANCE_KEY_PREFIX, selfInstanceId])).map(Number);
    },

    async online(roomId: string): Promise<number[]> {
      return (await redis.smembers(onlineKey(roomId))).map(Number);
    },

    /** The connections this process recorded in a room: `socketId -> userId`. */
    async instanceConnections(roomId: string, instanceId: string): Promise<Map<string, number>> {
      const entries = await redis.hgetall(connectionsKey(roomId));
      const mine = new Map<string, number>();
      const prefix = `${instanceId}/`;
      for (const [key, userId] of Object.entries(entries)) {
        if (key.startsWith(prefix)) mine.set(key.slice(prefix.length), Number(userId));
      }
      return mine;
    },

    async instanceRooms(instanceId: string): Promise<string[]> {
      return redis.smembers(instanceRoomsKey(instanceId));
    },

    /** Refreshes this process's heartbeat. */
    async heartbeat(instanceId: string): Promise<void> {
      await redis.multi().set(instanceKey(instanceId), '1', 'EX', HEARTBEAT_TTL_SECONDS).sadd(INSTANCES_KEY, instanceId).exec();
    },

    /** Every registered process whose heartbeat has stopped. */
    async silentInstances(selfInstanceId: string): Promise<string[]> {
      const ids = (await redis.smembers(INSTANCES_KEY)).filter((id) => id !== selfInstanceId);
      if (ids.length === 0) return [];
      const exists = await Promise.all(ids.map((id) => redis.exists(instanceKey(id))));
      return ids.filter((_, i) => exists[i] === 0);
    },

    /** Lets exactly one survivor clean up after a dead process. */
    async claimReaping(deadInstanceId: string): Promise<boolean> {
      return (await redis.set(instanceReaperKey(deadInstanceId), '1', 'EX', 60, 'NX')) === 'OK';
    },

    /** Forgets a process: its heartbeat, its room list, its registration. */
    async forgetInstance(instanceId: string): Promise<void> {
      await redis
        .multi()
        .del(instanceKey(instanceId), instanceRoomsKey(instanceId), instanceReaperKey(instanceId))
        .srem(INSTANCES_KEY, instanceId)
        .exec();
    },

    /** Counts a new socket of the user over every process; false when they already have `max`. */
    async claimSocketSlot(userId: number, instanceId: string, socketId: string, max: number): Promise<boolean> {
      const args = [field({ instanceId, socketId }), max, INSTANCE_KEY_PREFIX, instanceId, USER_SOCKETS_TTL_SECONDS];
      return Number(await claimSocketScript.run(redis, [userSocketsKey(userId)], args)) === 1;
    },

    async releaseSocketSlot(userId: number, instanceId: string, socketId: string): Promise<void> {
      await redis.hdel(userSocketsKey(userId), field({ instanceId, socketId }));
    },

    /** How many sockets each user holds over every process (their socket slots). */
    async socketCounts(userIds: number[]): Promise<number[]> {
      if (userIds.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of userIds) pipeline.hlen(userSocketsKey(id));
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([err, n]) => (err ? 0 : Number(n)));
    }
  };
}

export type PresenceStore = ReturnType<typeof createPresenceStore>;
