import {
  HISTORY_PAGE_MAX_BYTES,
  HISTORY_PAGE_SIZE,
  MESSAGE_TTL_SECONDS,
  packOperation,
  previewOf,
  SEND_INTERVAL_SECONDS,
  type HistoryPage,
  type Message,
  type NewMessage,
  type MessagePreview,
  type Operation,
  type PackedOperation,
  type StrokeOp
} from '../../src/lib/protocol/index.ts';
import {
  lastMessageKey,
  MESSAGE_KEY_PREFIX,
  messageKey,
  messageListHeadKey,
  messageListKey,
  readMarkersKey,
  roomKeys,
  sendRateKey,
  trashKey,
  typingKey,
  userMessagesKey
} from '../infra/keys.ts';
import { asArray, asStrings, loadLua, LUA_HELPERS } from '../infra/lua.ts';
import type { Redis } from '../infra/redis.ts';

// Messages of a room in Redis (docs/architecture.md#redis-keys): `bbb:msg:{id}` holds the message
// as JSON for 48 h, `bbb:room:{roomId}:msglist` lists ids in send order.
//
// Stored layout: {"reactions":[...],"reactionsVersion":N,"roomId":"…","userId":N,…the rest of the
// Message…,"seq":N}.
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

const storeScript = loadLua(LUA_HELPERS.typingVersion, LUA_HELPERS.freshTypers, new URL('./message-store.lua', import.meta.url));
const historyScript = loadLua(LUA_HELPERS.roomOfMessage, new URL('./message-history.lua', import.meta.url));
const deleteScript = loadLua(LUA_HELPERS.roomOfMessage, new URL('./message-delete.lua', import.meta.url));
const lastReplaceScript = loadLua(new URL('./last-replace.lua', import.meta.url));

/** The stored JSON, in the layout the scripts rely on, without its closing seq. */
function serializeWithoutSeq(message: Message): string {
  const { reactions, reactionsVersion, roomId, userId, ...rest } = message;
  const json = JSON.stringify({ reactions, reactionsVersion, roomId, userId, ...rest });
  return `${json.slice(0, -1)},"seq":`;
}

/** A stored message as the room's sockets see it: with its position, as `message:new` carries it. */
function parseStored(raw: string): NewMessage {
  const message = JSON.parse(raw) as NewMessage;
  // Messages stored before reactions had versions.
  message.reactionsVersion ??= 0;
  return packOldStrokes(message) as NewMessage;
}

function parseWithSeq(raw: string): { message: Message; seq: number } {
  const { seq, ...message } = parseStored(raw);
  return { message, seq };
}

/**
 * The room list's preview of a message, as the store script keeps it: the id first (the delete
 * script recognises its message by it), the seq appended by the script.
 */
function serializePreviewWithoutSeq(preview: MessagePreview): string {
  const { id, seq: _seq, ...rest } = preview;
  return `${JSON.stringify({ id, ...rest }).slice(0, -1)},"seq":`;
}

/** A stroke stored before strokes were packed: its points spelled out as objects. */
const isOldStroke = (op: PackedOperation | Operation): op is StrokeOp => op.type === 'stroke' && Array.isArray(op.points);

/**
 * Drawings stored before strokes were packed are packed as they are read, so clients only ever
 * see the packed form (docs/architecture.md#drawings-are-packed). They were made by the editor on
 * the grid packing keeps (tenths of a pixel, hundredths of pressure), so nothing moves; they are
 * gone once MESSAGE_TTL_SECONDS have passed since the change.
 */
function packOldStrokes(message: Message): Message {
  if (message.type !== 'drawing') return message;
  const operations: (PackedOperation | Operation)[] = message.content.operations;
  if (!operations.some(isOldStroke)) return message;
  return { ...message, content: { ...message.content, operations: operations.map((op) => (isOldStroke(op) ? packOperation(op) : op)) } };
}

export type StoreResult =
  | { stored: false }
  | {
      stored: true;
      /** What the room list shows of it now. */
      preview: MessagePreview;
      /** The typing users left after the author stopped typing, when the author was typing. */
      typing: { userIds: number[]; version: number } | null;
    };

export interface StoreOptions {
  /** Take the author's one-message-a-second limit in the same step (seeding tests and the bench skip it). */
  limitSends: boolean;
  /** Typing entries older than this (ms) no longer count. */
  typingCutoff: number;
}

/**
 * Stores a new message at the end of its room, with SET + RPUSH in one atomic step, and makes it
 * the room list's last message and the author's read marker. With
 * `limitSends`, the author's one-message-a-second limit is taken in the same step and nothing is
 * stored when it is spent.
 */
export async function storeMessage(redis: Redis, message: Message, options: StoreOptions): Promise<StoreResult> {
  const preview = previewOf(message, 0);
  const reply = asArray(
    await storeScript.run(
      redis,
      [
        messageKey(message.id),
        messageListKey(message.roomId),
        messageListHeadKey(message.roomId),
        sendRateKey(message.userId),
        typingKey(message.roomId),
        lastMessageKey(message.roomId),
        readMarkersKey(message.roomId),
        userMessagesKey(message.userId)
      ],
      [
        serializeWithoutSeq(message),
        MESSAGE_TTL_SECONDS,
        message.id,
        message.userId,
        options.limitSends ? SEND_INTERVAL_SECONDS : 0,
        options.typingCutoff,
        serializePreviewWithoutSeq(preview),
        authorEntry(message.roomId, message.id)
      ]
    )
  );
  if (Number(reply[0]) !== 1) return { stored: false };
  const typingVersion = Number(reply[2]);
  return {
    stored: true,
    preview: { ...preview, seq: Number(reply[1]) },
    typing: typingVersion > 0 ? { version: typingVersion, userIds: asStrings(reply[3]).map(Number) } : null
  };
}

/** A history page and the bytes of stored JSON it was made of (what the reader is charged). */
export interface PageRead {
  page: HistoryPage;
  bytes: number;
}

/**
 * A page of the room's history, oldest first: the newest page, or the one just before
 * `beforeId`. At most HISTORY_PAGE_SIZE messages and HISTORY_PAGE_MAX_BYTES of stored JSON
 * (one message always fits), with the bytes it was made of. Null when `beforeId` is not a
 * message of this room.
 */
export async function getHistoryPage(redis: Redis, roomId: string, beforeId?: string): Promise<PageRead | null> {
  const reply = asArray(
    await historyScript.run(
      redis,
      [messageListKey(roomId), messageListHeadKey(roomId)],
      [MESSAGE_KEY_PREFIX, roomId, beforeId ?? '', HISTORY_PAGE_SIZE, PAGE_SCAN_BUDGET, HISTORY_PAGE_MAX_BYTES]
    )
  );
  const status = String(reply[0]);
  // Everything before an expired message has expired too.
  if (status === 'expired') return { page: { roomId, messages: [], hasMore: false }, bytes: 0 };
  if (status !== 'ok') return null;
  const bodies = reply.slice(2).map(String).reverse();
  const bytes = bodies.reduce((sum, body) => sum + body.length, 0);
  return { page: { roomId, messages: bodies.map(parseStored), hasMore: Number(reply[1]) === 1 }, bytes };
}

export type DeleteResult =
  | { status: 'missing' }
  | { status: 'forbidden' }
  | {
      status: 'deleted';
      message: Message;
      seq: number;
      /** It was the room's last message: what the room list shows now (null: nothing left). */
      newLast?: MessagePreview | null;
    };

/** Tombstones passed at most while looking for the message before a deleted last one. */
const LAST_SCAN_BUDGET = 1000;

/**
 * Deletes a message of the room if `userId` wrote it, or `asOwner` (the room's owner may delete
 * any); answers what it was (to remove its image), and the room's new last message when it was
 * the last.
 */
export async function deleteMessage(redis: Redis, roomId: string, messageId: string, userId: number, asOwner = false): Promise<DeleteResult> {
  const keys = [messageKey(messageId), messageListKey(roomId), messageListHeadKey(roomId), lastMessageKey(roomId)];
  const reply = asArray(await deleteScript.run(redis, keys, [roomId, userId, asOwner ? '1' : '0', MESSAGE_KEY_PREFIX, LAST_SCAN_BUDGET]));
  const status = String(reply[0]);
  if (status === 'forbidden') return { status: 'forbidden' };
  if (status !== 'ok') return { status: 'missing' };
  const { message, seq } = parseWithSeq(String(reply[1]));
  if (Number(reply[2]) !== 1) return { status: 'deleted', message, seq };
  let newLast: MessagePreview | null = null;
  let json = '';
  let ttl = 0;
  if (reply[3] !== undefined) {
    const before = parseWithSeq(String(reply[3]));
    newLast = previewOf(before.message, before.seq);
    const { id, ...rest } = newLast;
    json = JSON.stringify({ id, ...rest });
    ttl = Math.max(1, Number(reply[4]));
  }
  const replaced = Number(await lastReplaceScript.run(redis, [lastMessageKey(roomId)], [messageId, json, ttl])) === 1;
  return replaced ? { status: 'deleted', message, seq, newLast } : { status: 'deleted', message, seq };
}

/** An entry of the author's set of messages: room and message ids hold no spaces. */
const authorEntry = (roomId: string, messageId: string) => `${roomId} ${messageId}`;

/** Entries of an author's set read per round trip. */
const AUTHOR_SCAN_BATCH = 200;

/** A message deleted because its author's account went. */
export interface AuthorDeletion {
  roomId: string;
  messageId: string;
  result: Extract<DeleteResult, { status: 'deleted' }>;
}

/**
 * Deletes every live message the user sent, in any room, as their own deletes do (tombstones,
 * previews replaced), found through the author's set (docs/architecture.md#deleting-an-account).
 * Entries are taken out as they are handled, so one written meanwhile stays for a later call.
 */
export async function deleteAuthorMessages(redis: Redis, userId: number): Promise<AuthorDeletion[]> {
  const key = userMessagesKey(userId);
  const deleted: AuthorDeletion[] = [];
  for (;;) {
    const entries = await redis.srandmember(key, AUTHOR_SCAN_BATCH);
    if (entries.length === 0) break;
    for (const entry of entries) {
      const [roomId, messageId] = entry.split(' ');
      // Expired messages and those of deleted rooms are simply missing.
      const result = roomId && messageId ? await deleteMessage(redis, roomId, messageId, userId) : { status: 'missing' as const };
      if (result.status === 'deleted') deleted.push({ roomId: roomId!, messageId: messageId!, result });
    }
    await redis.srem(key, ...entries);
  }
  return deleted;
}

/** How many message ids a room deletion removes per round trip. */
const DELETE_BATCH = 1000;

/**
 * Removes everything a room kept in Redis. The id list is first renamed away in one step, so the
 * room is gone at once; its message keys are then deleted in batches so Redis never blocks long.
 */
export async function deleteRoomMessages(redis: Redis, roomId: string, deletionId: string): Promise<void> {
  const list = messageListKey(roomId);
  const trash = trashKey(roomId, deletionId);
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

/** The functions above, bound to the app's Redis. */
export function createMessageStore(redis: Redis) {
  return {
    store: (message: Message, options: StoreOptions) => storeMessage(redis, message, options),
    page: (roomId: string, beforeId?: string) => getHistoryPage(redis, roomId, beforeId),
    remove: (roomId: string, messageId: string, userId: number, asOwner: boolean) => deleteMessage(redis, roomId, messageId, userId, asOwner),
    removeRoom: (roomId: string, deletionId: string) => deleteRoomMessages(redis, roomId, deletionId),
    removeAllBy: (userId: number) => deleteAuthorMessages(redis, userId)
  };
}

export type MessageStore = ReturnType<typeof createMessageStore>;
