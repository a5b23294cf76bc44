// Every Redis key of the app, in one place (docs/architecture.md#redis-keys), all under `bbb:`.
// The chat itself: messages, rooms' lists, presence and typing; then abuse limits and the
// bookkeeping of several server processes.

/** A message as JSON (48 h TTL); after deletion a small tombstone that keeps its place. */
export const messageKey = (messageId: string) => `bbb:msg:${messageId}`;
export const MESSAGE_KEY_PREFIX = 'bbb:msg:';
/** Ordered message ids of a room (RPUSH); expired ids are trimmed from the head. */
export const messageListKey = (roomId: string) => `bbb:room:${roomId}:msglist`;
/** How many ids have ever been trimmed from the head of msglist: turns a message's seq into its index. */
export const messageListHeadKey = (roomId: string) => `bbb:room:${roomId}:head`;
/** A deleted room's id list, renamed away and then emptied in batches. */
export const trashKey = (roomId: string, deletionId: string) => `bbb:trash:${roomId}:${deletionId}`;

/** User ids online in the room (at least one live connection). */
export const onlineKey = (roomId: string) => `bbb:room:${roomId}:online`;
/** Live connections in the room: `{instanceId}/{socketId}` -> user id. Presence counts these. */
export const connectionsKey = (roomId: string) => `bbb:room:${roomId}:conns`;
/** Typing user id -> timestamp (ms) of their last typing:start. */
export const typingKey = (roomId: string) => `bbb:room:${roomId}:typing`;
/** Drawing user id -> timestamp (ms) of their last typing:start with kind "drawing"; same rules as typing. */
export const drawingKey = (roomId: string) => `bbb:room:${roomId}:drawing`;
/** The room's last message as a preview (MessagePreview JSON), with that message's TTL. */
export const lastMessageKey = (roomId: string) => `bbb:room:${roomId}:last`;
/** Member user id -> the seq they have read up to (their read marker in the room). */
export const readMarkersKey = (roomId: string) => `bbb:room:${roomId}:read`;

/** Every key of a room except its messages (those are listed in msglist). */
export const roomKeys = (roomId: string) => [
  messageListKey(roomId),
  messageListHeadKey(roomId),
  onlineKey(roomId),
  typingKey(roomId),
  drawingKey(roomId),
  connectionsKey(roomId),
  lastMessageKey(roomId),
  readMarkersKey(roomId)
];

/** One message:send a second per user (SET NX EX, inside the store script). */
export const sendRateKey = (userId: number) => `bbb:ratelimit:${userId}`;
/** Reactions a user added or removed this second (INCR with a 1 s window, inside the reaction script). */
export const reactionRateKey = (userId: number) => `bbb:ratelimit:${userId}:reactions`;
/** Uploads a user made this hour (INCR with a one-hour window). */
export const uploadRateKey = (userId: number) => `bbb:uploadlimit:${userId}`;
/** Room searches a user made this minute (INCR with a one-minute window). */
export const ROOM_SEARCH_LIMIT_PREFIX = 'bbb:searchlimit';
/**
 * `{roomId} {messageId}` of every message the user sent in the last MESSAGE_TTL_SECONDS (the set
 * lives as long as its newest message): what deleting the account removes, in every room, including
 * rooms the user has left (docs/architecture.md#deleting-an-account).
 */
export const userMessagesKey = (userId: number) => `bbb:user:${userId}:messages`;
/** Friend requests a user sent this hour, and other friend actions this minute (the prefix, a colon, then the user id). */
export const FRIEND_LIMIT_PREFIXES = { requests: 'bbb:friendlimit:requests', actions: 'bbb:friendlimit:actions' } as const;
/** Profile changes a user made this window: pictures per hour, settings per minute (the prefix, a colon, then the user id). */
export const PROFILE_LIMIT_PREFIXES = { avatar: 'bbb:profilelimit:avatar', settings: 'bbb:profilelimit:settings' } as const;
/** Signed-out invite lookups from an address this minute (INCR with a one-minute window). */
export const inviteLookupRateKey = (address: string) => `bbb:invitelimit:${address}`;
/** Prefix of the socket request counters kept by rate-limiter-flexible: `bbb:rl:{name}:{userId}`. */
export const RATE_LIMIT_KEY_PREFIX = 'bbb:rl';
/** Sign-in and registration counts (each key is the prefix, a colon, then the address or name). */
export const AUTH_LIMIT_PREFIXES = {
  addressMinute: 'bbb:signin:addr:min',
  addressDay: 'bbb:signin:addr:day',
  usernameAndAddress: 'bbb:signin:name-addr',
  username: 'bbb:signin:name',
  registrations: 'bbb:register:addr'
} as const;
/** Wrong current passwords when changing one (the prefix, a colon, then the user id). */
export const PASSWORD_CHANGE_PREFIX = 'bbb:pwchange:user';
/** Mail and link counts, one-hour windows (INCR): the prefix, a colon, then the address, account or client. */
export const MAIL_LIMIT_PREFIXES = {
  address: 'bbb:mail:addr',
  verifyAccount: 'bbb:mail:verify:user',
  resetAccount: 'bbb:mail:reset:user',
  resetClient: 'bbb:mail:reset:client',
  linkClient: 'bbb:mail:link:client'
} as const;
/** Wrong room passwords (the prefix, a colon, then `roomId|userId` or the room id). */
export const ROOM_ATTEMPT_PREFIXES = {
  userInRoom: 'bbb:roompw:user',
  room: 'bbb:roompw:room'
} as const;

/** A user's live sockets over every process: `{instanceId}/{socketId}` -> '1'. */
export const userSocketsKey = (userId: number) => `bbb:user:${userId}:sockets`;
/** A server process's heartbeat: gone when the process stops refreshing it. */
export const instanceKey = (instanceId: string) => `bbb:instance:${instanceId}`;
export const INSTANCE_KEY_PREFIX = 'bbb:instance:';
/** Every process that registered connections, so a survivor can clean up after a dead one. */
export const INSTANCES_KEY = 'bbb:instances';
/** Rooms where a process holds (or held) connections. */
export const instanceRoomsKey = (instanceId: string) => `bbb:instance:${instanceId}:rooms`;
/** Taken by the one survivor that cleans up after a dead process. */
export const instanceReaperKey = (instanceId: string) => `bbb:instance:${instanceId}:reaper`;
/** The Socket.IO adapter's stream, and the prefix of its Pub/Sub channels (PeerWatch's too). */
export const SOCKET_IO_KEY_PREFIX = 'bbb:socket.io';
