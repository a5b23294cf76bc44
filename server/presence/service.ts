import type { PublicUser, TypingSnapshot } from '../../src/lib/protocol/index.ts';
import type { Redis } from '../infra/redis.ts';
import type { TypingService } from '../typing/service.ts';
import { HEARTBEAT_INTERVAL_MS, type JoinResult, type LeaveResult, type PresenceStore } from './storage.ts';

// Presence as the room sees it: records connections in Redis (storage.ts) and tells the room when
// a member's dot turns on or off (`room:presence`, shown silently: notices in the feed are for
// membership changes only, docs/architecture.md#presence-counts-connections). Also keeps this
// process's heartbeat, cleans up after processes that died, and resyncs after Redis comes back.

/** Beats between two full resyncs of this process's connections (a minute). */
const RESYNC_EVERY_BEATS = 12;

/** How presence speaks to rooms and sees this process's sockets (provided by handlers.ts). */
export interface PresenceRooms {
  /** room:presence to the room (except the socket that arrived, when one did). */
  presence(roomId: string, userId: number, online: boolean, exceptSocketId?: string): void;
  /** typing:update to the room. */
  typing(roomId: string, snapshot: TypingSnapshot): void;
  /** Every socket of this process, with the rooms it is in. */
  local(): Iterable<LocalConnection>;
  /** Whether a socket of this process is still in the room. */
  isIn(socketId: string, roomId: string): boolean;
}

export interface LocalConnection {
  socketId: string;
  user: PublicUser;
  roomIds: string[];
}

export interface PresenceDeps {
  store: PresenceStore;
  /** This process among the others on the same Redis. */
  instanceId: string;
  rooms: PresenceRooms;
  typing: Pick<TypingService, 'current'>;
  /** The app's Redis client, only to resync when it connects again. */
  redis: Pick<Redis, 'on' | 'off'>;
}

export function createPresenceService({ store, instanceId, rooms, typing, redis }: PresenceDeps) {
  async function announceTyping(roomId: string): Promise<void> {
    rooms.typing(roomId, await typing.current(roomId));
  }

  async function announceLeave(roomId: string, userId: number, result: LeaveResult): Promise<void> {
    if (result.wentOffline) rooms.presence(roomId, userId, false);
    if (result.stoppedTyping) await announceTyping(roomId);
  }

  /** Users of a dead process: they have been silent for two beats already, so no grace. */
  async function announceGone(roomId: string, userIds: number[]): Promise<void> {
    for (const userId of userIds) rooms.presence(roomId, userId, false);
    if (userIds.length > 0) await announceTyping(roomId);
  }

  /** Records the socket in the room; tells the others when the user just came online. */
  async function enter(socketId: string, user: PublicUser, roomId: string): Promise<JoinResult> {
    const result = await store.addConnection({ roomId, userId: user.id, instanceId, socketId });
    if (result.cameOnline) rooms.presence(roomId, user.id, true, socketId);
    await announceGone(roomId, result.wentOffline);
    return result;
  }

  /** Forgets one connection; tells the room when it was the user's last. */
  async function exit(roomId: string, socketId: string, userId: number): Promise<void> {
    await announceLeave(roomId, userId, await store.removeConnection({ roomId, userId, instanceId, socketId }));
  }

  // After Redis was away (or lost its data), and once a minute for what a race may have left
  // (a leave that reached Redis before its join): record every live local connection again and
  // forget the ones that ended.
  async function resync(): Promise<void> {
    await store.heartbeat(instanceId);
    for (const { socketId, user, roomIds } of rooms.local()) {
      for (const roomId of roomIds) await enter(socketId, user, roomId);
    }
    for (const roomId of await store.instanceRooms(instanceId)) {
      for (const [socketId, userId] of await store.instanceConnections(roomId, instanceId)) {
        if (!rooms.isIn(socketId, roomId)) await exit(roomId, socketId, userId);
      }
    }
  }

  // A process seen silent on two beats in a row is dead (a live one re-registers within one beat,
  // even after Redis lost its data); one survivor prunes its connections. The second sighting comes
  // one interval after the first, so half an interval tells it from the first whatever the timer's
  // jitter: a crashed process's users are offline within TTL + two beats (docs/scaling.md#a-process-dies).
  const silentSince = new Map<string, number>();
  async function reapDeadInstances(): Promise<void> {
    const now = Date.now();
    const silent = await store.silentInstances(instanceId);
    for (const id of silentSince.keys()) if (!silent.includes(id)) silentSince.delete(id);
    for (const id of silent) {
      const since = silentSince.get(id) ?? now;
      silentSince.set(id, since);
      if (now - since < HEARTBEAT_INTERVAL_MS / 2 || !(await store.claimReaping(id))) continue;
      for (const roomId of await store.instanceRooms(id)) await announceGone(roomId, await store.pruneRoom(roomId, instanceId));
      await store.forgetInstance(id);
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
    await store.heartbeat(instanceId);
    await reapDeadInstances();
    beats += 1;
    if (beats % RESYNC_EVERY_BEATS === 0) startResync();
  }

  return {
    enter,
    exit,

    /** Forgets every connection of a user removed from the room: the room hears it at once. */
    async removeUser(roomId: string, userId: number): Promise<void> {
      await announceLeave(roomId, userId, await store.removeUser(roomId, userId));
    },

    online: (roomId: string) => store.online(roomId),

    /** A user may hold `max` sockets over every process. */
    claimSocket: (userId: number, socketId: string, max: number) => store.claimSocketSlot(userId, instanceId, socketId, max),
    releaseSocket: (userId: number, socketId: string) => store.releaseSocketSlot(userId, instanceId, socketId),

    /** Which of these users have a socket open anywhere (the friends list's dots). */
    async onlineUsers(userIds: number[]): Promise<Set<number>> {
      const counts = await store.socketCounts(userIds);
      return new Set(userIds.filter((_, i) => counts[i] > 0));
    },

    async start(): Promise<void> {
      await store.heartbeat(instanceId).catch(() => undefined);
      timer = setInterval(() => {
        beat().catch(() => undefined); // Redis away: the next beat tries again
      }, HEARTBEAT_INTERVAL_MS);
      timer.unref();
      // Fired on every reconnection of the shared client (the first connection happened before).
      redis.on('ready', startResync);
    },

    /** Forgets this process's connections (telling the rooms) and its heartbeat. */
    async stop(): Promise<void> {
      clearInterval(timer);
      redis.off('ready', startResync);
      await resyncing;
      try {
        for (const { socketId, user, roomIds } of rooms.local()) {
          for (const roomId of roomIds) await exit(roomId, socketId, user.id);
        }
        await store.forgetInstance(instanceId);
      } catch {
        // Redis away: the heartbeat expires and a survivor cleans up instead.
      }
    }
  };
}

export type PresenceService = ReturnType<typeof createPresenceService>;
