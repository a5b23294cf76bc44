// Every Redis key the real-time server uses, in one place. The first five hold the chat itself;
// the rest are additions (paging, presence across processes, abuse limits), all under `bbb:`.

/** A message as JSON (48 h TTL); after deletion a small tombstone that keeps its place. */
export const messageKey = (messageId: string) => `bbb:msg:${messageId}`;
export const MESSAGE_KEY_PREFIX = 'bbb:msg:';
/** Ordered message ids of a room (RPUSH); expired ids are trimmed from the head. */
export const messageListKey = (roomId: string) => `bbb:room:${roomId}:msglist`;
/** User ids online in the room (at least one live connection). */
export const onlineKey = (roomId: string) => `bbb:room:${roomId}:online`;
/** Typing user id -> timestamp (ms) of their last typing:start. */
export const typingKey = (roomId: string) => `bbb:room:${roomId}:typing`;
/** One message:send a second per user (SET NX EX 1). */
export const sendRateKey = (userId: number) => `bbb:ratelimit:${userId}`;

/** How many ids have ever been trimmed from the head of msglist: turns a message's seq into its index. */
export const messageListHeadKey = (roomId: string) => `bbb:room:${roomId}:head`;
/** Live connections in the room: `{instanceId}/{socketId}` -> user id. Presence counts these. */
export const connectionsKey = (roomId: string) => `bbb:room:${roomId}:conns`;
/** Members the room was last told are online (room:user-joined sent, room:user-left not yet). */
export const announcedKey = (roomId: string) => `bbb:room:${roomId}:announced`;
/** A user's live sockets over every process: `{instanceId}/{socketId}` -> '1'. */
export const userSocketsKey = (userId: number) => `bbb:user:${userId}:sockets`;
/** Prefix of the per-user request counters kept by rate-limiter-flexible (see socket/rateLimiter.ts). */
export const RATE_LIMIT_KEY_PREFIX = 'bbb:rl';
/** Reactions a user may add or remove per second (INCR with a 1 s window). */
export const reactionRateKey = (userId: number) => `bbb:ratelimit:${userId}:reactions`;

/** A server process's heartbeat: gone when the process stops refreshing it. */
export const instanceKey = (instanceId: string) => `bbb:instance:${instanceId}`;
export const INSTANCE_KEY_PREFIX = 'bbb:instance:';
/** Every process that registered connections, so a survivor can clean up after a dead one. */
export const INSTANCES_KEY = 'bbb:instances';
/** Rooms where a process holds (or held) connections. */
export const instanceRoomsKey = (instanceId: string) => `bbb:instance:${instanceId}:rooms`;
/** Taken by the one survivor that cleans up after a dead process. */
export const instanceReaperKey = (instanceId: string) => `bbb:instance:${instanceId}:reaper`;

/** Every key of a room except its messages (those are listed in msglist). */
export const roomKeys = (roomId: string) => [
  messageListKey(roomId),
  messageListHeadKey(roomId),
  onlineKey(roomId),
  typingKey(roomId),
  connectionsKey(roomId),
  announcedKey(roomId)
];
