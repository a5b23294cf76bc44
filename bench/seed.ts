import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { MESSAGE_TTL_SECONDS, type Message } from '../src/lib/protocol/index.ts';

// Seeds a room's history by writing the server's Redis storage layout directly, on purpose: the
// join scenario needs rooms of up to 100,000 messages, and the socket takes one message a second
// per user. This is the one place the bench knows the server's storage; it follows
// docs/architecture.md#redis-keys and server/messages/storage.ts + message-store.lua:
//   bbb:msg:{id}              the message JSON, `reactions`, `roomId`, `userId` first and `,"seq":N}` last, with the message TTL
//   bbb:room:{roomId}:msglist RPUSH of the ids in send order
//   bbb:room:{roomId}:head    ids ever trimmed from the list head: seq = head + list index
// Seed only a room nobody is sending to: the writes are batched, not one atomic step per message.

const messageKey = (id: string) => `bbb:msg:${id}`;
const listKey = (roomId: string) => `bbb:room:${roomId}:msglist`;
const headKey = (roomId: string) => `bbb:room:${roomId}:head`;

/** The stored form of a message at position `seq`. */
export function storedMessage(message: Message, seq: number): string {
  const { reactions, reactionsVersion, roomId, userId, ...rest } = message;
  return `${JSON.stringify({ reactions, reactionsVersion, roomId, userId, ...rest }).slice(0, -1)},"seq":${seq}}`;
}

/** A plain text message about as long as the chat scenario's. */
export function seededMessage(roomId: string, author: { id: number; username: string }, index: number, at: number): Message {
  return {
    roomId,
    id: nanoid(),
    userId: author.id,
    username: author.username,
    type: 'text',
    content: `seeded message ${index} `.padEnd(200, 'x'),
    reactions: [],
    reactionsVersion: 0,
    timestamp: at
  };
}

/** A drawing message; `content` in whichever form the server under test stores. */
export function seededDrawing(content: unknown) {
  return (roomId: string, author: { id: number; username: string }, _index: number, at: number): Message => ({
    roomId,
    id: nanoid(),
    userId: author.id,
    username: author.username,
    type: 'drawing',
    content: content as Extract<Message, { type: 'drawing' }>['content'],
    reactions: [],
    reactionsVersion: 0,
    timestamp: at
  });
}

/**
 * Appends `count` messages by `author` to the room, oldest first, one millisecond apart (made by
 * `make`, texts by default), after what it already holds; returns the last one.
 */
export async function seedRoom(
  redis: Redis,
  roomId: string,
  author: { id: number; username: string },
  count: number,
  make: typeof seededMessage = seededMessage,
  batch = 2000
): Promise<Message | null> {
  const head = Number((await redis.get(headKey(roomId))) ?? 0);
  let length = await redis.llen(listKey(roomId));
  const start = Date.now() - count;
  let last: Message | null = null;
  for (let done = 0; done < count; done += batch) {
    const pipeline = redis.pipeline();
    const ids: string[] = [];
    for (let i = done; i < Math.min(count, done + batch); i++) {
      const message = make(roomId, author, i, start + i);
      pipeline.set(messageKey(message.id), storedMessage(message, head + length + ids.length), 'EX', MESSAGE_TTL_SECONDS);
      ids.push(message.id);
      last = message;
    }
    pipeline.rpush(listKey(roomId), ...ids);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
    length += ids.length;
  }
  return last;
}
