import { PRESENCE_NOTICE_GRACE_MS, TYPING_EXPIRE_MS } from '../../src/lib/protocol/index.ts';
import {
  addConnection,
  claimReaping,
  confirmGone,
  forgetInstance,
  heartbeat,
  HEARTBEAT_INTERVAL_MS,
  instanceConnections,
  instanceRooms,
  pruneRoom,
  removeConnection,
  removeUser,
  silentInstances,
  type JoinResult,
  type LeaveResult
} from '../redis/presence.ts';
import { getTyping } from '../redis/typing.ts';
import { joinedRooms, namedUsers, roomChannel, type AppSocket, type Realtime } from './context.ts';

// Presence as the room sees it: records connections in Redis (see redis/presence.ts) and tells
// the room when someone comes online or goes offline. Also keeps this process's heartbeat, cleans
// up after processes that died, and resyncs after Redis comes back.
//
// Arrivals and departures are coalesced: a member whose last connection ends is announced as gone
// only if still away PRESENCE_NOTICE_GRACE_MS later, and a return is announced only after a
// departure was. Reloads, trips to the room list and reconnect loops announce nothing.

/** Beats between two full resyncs of this process's connections (a minute). */
const RESYNC_EVERY_BEATS = 12;

export interface Presence {
  /** Records the socket in the room; tells the others when the user just came online. */
  enter(socket: AppSocket, roomId: string): Promise<JoinResult>;
  /** Forgets one connection; tells the room when it was the user's last. */
  exit(roomId: string, socketId: string, userId: number): Promise<void>;
  /** Forgets every connection of a user removed from the room. */
  removeUser(roomId: string, userId: number): Promise<void>;
  /** Tells the room who is typing now. */
  announceTyping(roomId: string, userIds?: number[]): Promise<void>;
  start(): Promise<void>;
  /** Forgets this process's connections (telling the rooms) and its heartbeat. */
  stop(): Promise<void>;
}

export function createPresence(rt: Realtime): Presence {
  const { io, instanceId } = rt;
  const redis = rt.app.redis;

  function announceLeft(roomId: string, userId: number): void {
    const username = rt.usernameOf(userId);
    if (username !== undefined) io.to(roomChannel(roomId)).emit('room:user-left', { roomId, userId, username });
  }

  async function settleDeparture(roomId: string, userId: number): Promise<void> {
    if (await confirmGone(redis, roomId, userId)) announceLeft(roomId, userId);
  }

  // One timer per member and room at most: a departure waits out the grace, then is announced
  // only if the member is still away.
  const pendingDepartures = new Map<string, { roomId: string; userId: number; timer: NodeJS.Timeout }>();
  function departLater(roomId: string, userId: number): void {
    const key = `${userId}/${roomId}`;
    if (pendingDepartures.has(key)) return;
    const timer = setTimeout(() => {
      pendingDepartures.delete(key);
      settleDeparture(roomId, userId).catch(() => undefined); // Redis away: the room stays as it was told
    }, PRESENCE_NOTICE_GRACE_MS);
    timer.unref();
    pendingDepartures.set(key, { roomId, userId, timer });
  }

  async function announceTyping(roomId: string, userIds?: number[]): Promise<void> {
    const typing = userIds ?? (await getTyping(redis, roomId, Date.now() - TYPING_EXPIRE_MS));
    io.to(roomChannel(roomId)).emit('typing:update', { roomId, users: namedUsers(rt, typing) });
  }

  async function announceLeave(roomId: string, userId: number, result: LeaveResult): Promise<void> {
    if (result.wentOffline) departLater(roomId, userId);
    if (result.stoppedTyping) await announceTyping(roomId);
  }

  /** Users of a dead process: they have been silent for two beats already, so no grace. */
  async function announceGone(roomId: string, userIds: number[]): Promise<void> {
    for (const userId of userIds) await settleDeparture(roomId, userId);
    if (userIds.length > 0) await announceTyping(roomId);
  }

  async function enter(socket: AppSocket, roomId: string): Promise<JoinResult> {
    const { user } = socket.data;
    const result = await addConnection(redis, { roomId, userId: user.id, instanceId, socketId: socket.id });
    if (result.announce) {
      socket.to(roomChannel(roomId)).emit('room:user-joined', { roomId, userId: user.id, username: user.username });
    }
    await announceGone(roomId, result.wentOffline);
    return result;
  }

  async function exit(roomId: string, socketId: string, userId: number): Promise<void> {
    await announceLeave(roomId, userId, await removeConnection(redis, { roomId, userId, instanceId, socketId }));
  }

  // After Redis was away (or lost its data), and once a minute for what a race may have left
  // (a leave that reached Redis before its join): record every live local connection again and
  // forget the ones that ended.
  async function resync(): Promise<void> {
    const sockets = io.of('/').sockets;
    await heartbeat(redis, instanceId);
    for (const socket of sockets.values()) {
      for (const roomId of joinedRooms(socket)) await enter(socket, roomId);
    }
    for (const roomId of await instanceRooms(redis, instanceId)) {
      for (const [socketId, userId] of await instanceConnections(redis, roomId, instanceId)) {
        if (!sockets.get(socketId)?.rooms.has(roomChannel(roomId))) await exit(roomId, socketId, userId);
      }
    }
  }

  // A process seen silent on two beats in a row is dead (a live one re-registers within one beat,
  // even after Redis lost its data); one survivor prunes its connections.
  const silentSince = new Map<string, number>();
  async function reapDeadInstances(): Promise<void> {
    const now = Date.now();
    const silent = await silentInstances(redis, instanceId);
    for (const id of silentSince.keys()) if (!silent.includes(id)) silentSince.delete(id);
    for (const id of silent) {
      const since = silentSince.get(id) ?? now;
      silentSince.set(id, since);
      if (now - since < 2 * HEARTBEAT_INTERVAL_MS || !(await claimReaping(redis, id))) continue;
      for (const roomId of await instanceRooms(redis, id)) await announceGone(roomId, await pruneRoom(redis, roomId, instanceId));
      await forgetInstance(redis, id);
      silentSince.delete(id);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let resyncing: Promise<void> | null = null;
  const startResync = () => {
    resyncing ??= resync()
      .catch(() => undefined)
      .finally(() => (resyncing = null));
  };
  let beats = 0;
  async function beat(): Promise<void> {
    await heartbeat(redis, instanceId);
    await reapDeadInstances();
    beats += 1;
    if (beats % RESYNC_EVERY_BEATS === 0) startResync();
  }

  return {
    enter,
    exit,
    async removeUser(roomId, userId) {
      // No longer a member: the room hears it at once.
      const result = await removeUser(redis, roomId, userId);
      await settleDeparture(roomId, userId);
      if (result.stoppedTyping) await announceTyping(roomId);
    },
    announceTyping,
    async start() {
      await heartbeat(redis, instanceId).catch(() => undefined);
      timer = setInterval(() => {
        beat().catch(() => undefined); // Redis away: the next beat tries again
      }, HEARTBEAT_INTERVAL_MS);
      timer.unref();
      // Fired on every reconnection of the shared client (the first connection happened before).
      redis.on('ready', startResync);
    },
    async stop() {
      clearInterval(timer);
      redis.off('ready', startResync);
      await resyncing;
      try {
        for (const socket of io.of('/').sockets.values()) {
          for (const roomId of joinedRooms(socket)) await exit(roomId, socket.id, socket.data.user.id);
        }
        // This process will not be there when the grace ends: settle departures now.
        for (const { roomId, userId, timer } of pendingDepartures.values()) {
          clearTimeout(timer);
          await settleDeparture(roomId, userId);
        }
        pendingDepartures.clear();
        await forgetInstance(redis, instanceId);
      } catch {
        // Redis away: the heartbeat expires and a survivor cleans up instead.
      }
    }
  };
}
