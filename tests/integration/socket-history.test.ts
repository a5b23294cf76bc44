import { nanoid } from 'nanoid';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteMessage, getHistoryPage, storeMessage } from '../../server/messages/storage.ts';
import { HISTORY_PAGE_MAX_BYTES, HISTORY_PAGE_SIZE, type HistoryPage, type Message } from '../../src/lib/protocol/index.ts';
import { useTestApp } from '../support/app.ts';
import { request, closeAllSockets, connectSocket, createRoom, createUsers, joinRoom, type ClientSocket, type TestUser } from '../support/client.ts';

const ctx = useTestApp();

// Paged history over a long room: a join carries only the newest page, older pages come back in
// order with no gaps or duplicates down to the first message, and expired ids are trimmed. Reads
// over a socket are rate limited (a person scrolls a few pages, not thousands), so the walks
// through a whole history read the same pages from the store the socket handlers call.

let alice: TestUser;

beforeAll(async () => {
  [alice] = await createUsers(ctx.app.baseUrl, 1);
});

/** Seeds `count` text messages straight into Redis through the store, many in flight at once. */
async function seed(roomId: string, count: number, author: TestUser): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() - count;
  const BATCH = 2000;
  for (let i = 0; i < count; i += BATCH) {
    const batch: Message[] = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      const id = nanoid();
      ids.push(id);
      batch.push({ reactions: [], reactionsVersion: 0, roomId, userId: author.id, id, username: author.username, type: 'text', content: `message ${j}`, timestamp: start + j });
    }
    // One batch after the other keeps the list in the order of `ids`; inside a batch, ioredis
    // writes the commands in call order on one connection, which Redis runs in that order.
    await Promise.all(batch.map((m) => storeMessage(ctx.app.redis, m, { limitSends: false, typingCutoff: 0 })));
  }
  return ids;
}

const listKey = (roomId: string) => `bbb:room:${roomId}:msglist`;

const join = joinRoom;

async function older(socket: ClientSocket, roomId: string, beforeId: string): Promise<HistoryPage> {
  const ack = await request(socket, 'room:history-older', { roomId, beforeId });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data;
}

/** Reads all the way up from a page through the store; every message id seen, oldest first. */
async function scrollToTop(roomId: string, newest: HistoryPage): Promise<{ ids: string[]; pages: number }> {
  let page = newest;
  const seen = page.messages.map((m) => m.id);
  let pages = 1;
  while (page.hasMore) {
    const next = await getHistoryPage(ctx.app.redis, roomId, seen[0]);
    if (!next) throw new Error(`no page before ${seen[0]}`);
    page = next.page;
    expect(page.messages.length).toBeLessThanOrEqual(HISTORY_PAGE_SIZE);
    seen.unshift(...page.messages.map((m) => m.id));
    pages += 1;
  }
  return { ids: seen, pages };
}

describe('a room with 100,000 messages', () => {
  const TOTAL = 100_000;
  const EXPIRED = 500;
  let roomId: string;
  let ids: string[];
  let socket: ClientSocket;

  beforeAll(async () => {
    roomId = (await createRoom(alice)).id;
    ids = await seed(roomId, EXPIRED + TOTAL, alice);
    // The oldest messages' keys have expired; their ids are still at the head of the list.
    await ctx.app.redis.unlink(...ids.slice(0, EXPIRED).map((id) => `bbb:msg:${id}`));
    ids = ids.slice(EXPIRED);
    socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
  }, 60_000);

  it('joins with only the newest page and trims the expired ids', async () => {
    const page = await join(socket, roomId);
    expect(page.hasMore).toBe(true);
    expect(page.messages.map((m) => m.id)).toEqual(ids.slice(-HISTORY_PAGE_SIZE));
    expect(page.messages.at(-1)?.content).toBe(`message ${EXPIRED + TOTAL - 1}`);
    expect(await ctx.app.redis.llen(listKey(roomId))).toBe(TOTAL);
    expect(await ctx.app.redis.lindex(listKey(roomId), 0)).toBe(ids[0]);
  });

  it('gives every older page in order, with no gaps or duplicates, down to the first message', async () => {
    const newest = await join(socket, roomId);
    // The first older pages over the socket, as a scrolling person asks for them.
    const second = await older(socket, roomId, newest.messages[0].id);
    expect(second.messages.map((m) => m.id)).toEqual(ids.slice(-2 * HISTORY_PAGE_SIZE, -HISTORY_PAGE_SIZE));
    const { ids: seen, pages } = await scrollToTop(roomId, newest);
    expect(pages).toBe(TOTAL / HISTORY_PAGE_SIZE);
    expect(seen.length).toBe(TOTAL);
    expect(seen).toEqual(ids);
  }, 60_000);
});

describe('pages around deletions and expiry', () => {
  it('deleted messages leave no hole in a page; paging stops where messages expired', async () => {
    const [other] = await createUsers(ctx.app.baseUrl, 1);
    const room = await createRoom(alice, [other]);
    const ids = await seed(room.id, 300, alice);
    const socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    // Delete 40 messages spread over the newest pages.
    const deleted = ids.filter((_, i) => i >= 150 && i % 4 === 0).slice(0, 40);
    // Deleted through the store: the socket allows a person only a few deletes a second.
    for (const messageId of deleted) expect((await deleteMessage(ctx.app.redis, room.id, messageId, alice.id)).status).toBe('deleted');
    const newest = await join(socket, room.id);
    expect(newest.messages).toHaveLength(HISTORY_PAGE_SIZE);
    // A deleted message can still be the anchor of "older than this".
    const anchored = await older(socket, room.id, deleted[deleted.length - 1]);
    const anchorIndex = ids.indexOf(deleted[deleted.length - 1]);
    expect(anchored.messages.map((m) => m.id)).toEqual(ids.slice(0, anchorIndex).filter((id) => !deleted.includes(id)).slice(-HISTORY_PAGE_SIZE));

    const remaining = ids.filter((id) => !deleted.includes(id));
    expect((await scrollToTop(room.id, newest)).ids).toEqual(remaining);

    // The oldest 100 expire while the user reads: paging ends there, and those ids are trimmed.
    await ctx.app.redis.unlink(...ids.slice(0, 100).map((id) => `bbb:msg:${id}`));
    const { ids: afterExpiry } = await scrollToTop(room.id, newest);
    expect(afterExpiry).toEqual(remaining.filter((id) => ids.indexOf(id) >= 100));
    expect(await ctx.app.redis.lindex(listKey(room.id), 0)).toBe(ids[100]);
    expect(await ctx.app.redis.llen(listKey(room.id))).toBe(200);
    // Asking for what is older than an expired message: nothing, and nothing more.
    expect(await older(socket, room.id, ids[50])).toEqual({ roomId: room.id, messages: [], hasMore: false });
  }, 30_000);

  it('a room whose messages all expired joins empty and forgets the ids', async () => {
    const room = await createRoom(alice);
    const ids = await seed(room.id, 120, alice);
    await ctx.app.redis.unlink(...ids.map((id) => `bbb:msg:${id}`));
    const socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    expect(await join(socket, room.id)).toEqual({ roomId: room.id, messages: [], hasMore: false });
    expect(await ctx.app.redis.llen(listKey(room.id))).toBe(0);
    // New messages after the trim still page correctly.
    const fresh = await seed(room.id, 60, alice);
    const page = await join(socket, room.id);
    expect(page.messages.map((m) => m.id)).toEqual(fresh.slice(-HISTORY_PAGE_SIZE));
    expect((await older(socket, room.id, page.messages[0].id)).messages.map((m) => m.id)).toEqual(fresh.slice(0, 10));
  });
});

describe('pages bounded in bytes', () => {
  /** Stores messages of about `bytes` each (the store takes any content; the socket validates). */
  async function seedLarge(roomId: string, sizes: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, size] of sizes.entries()) {
      const id = nanoid();
      ids.push(id);
      const content = `${i} `.padEnd(size, 'x');
      await storeMessage(ctx.app.redis, { reactions: [], reactionsVersion: 0, roomId, userId: alice.id, id, username: alice.username, type: 'text', content, timestamp: Date.now() }, { limitSends: false, typingCutoff: 0 });
    }
    return ids;
  }
  const frameBytes = (page: HistoryPage) => Buffer.byteLength(JSON.stringify(page));

  it('a room of large messages joins within the byte budget, and the older pages still hold every message once', async () => {
    const room = await createRoom(alice);
    const ids = await seedLarge(room.id, Array.from({ length: 20 }, () => 250_000));
    const socket = await connectSocket(ctx.app.baseUrl, alice.cookie);
    const newest = await join(socket, room.id);
    expect(frameBytes(newest)).toBeLessThanOrEqual(HISTORY_PAGE_MAX_BYTES);
    // As many 250 KB messages as fit the budget (each is stored with a little JSON around it).
    const perPage = Math.floor(HISTORY_PAGE_MAX_BYTES / 250_200);
    expect(perPage).toBeGreaterThanOrEqual(1);
    expect(newest.messages.map((m) => m.id)).toEqual(ids.slice(-perPage));
    expect(newest.hasMore).toBe(true);

    const second = await older(socket, room.id, newest.messages[0].id);
    expect(frameBytes(second)).toBeLessThanOrEqual(HISTORY_PAGE_MAX_BYTES);
    expect(second.messages.map((m) => m.id)).toEqual(ids.slice(-2 * perPage, -perPage));
    const { ids: seen, pages } = await scrollToTop(room.id, newest);
    expect(seen).toEqual(ids);
    expect(pages).toBe(Math.ceil(ids.length / perPage));
  });

  it('a message larger than the budget still makes a page of its own', async () => {
    // A reader of their own: what the test before read counts against alice's history budget.
    const [reader] = await createUsers(ctx.app.baseUrl, 1);
    const room = await createRoom(reader);
    const ids = await seedLarge(room.id, [100, HISTORY_PAGE_MAX_BYTES + 5000, 100]);
    const socket = await connectSocket(ctx.app.baseUrl, reader.cookie);
    const newest = await join(socket, room.id);
    expect(newest.messages.map((m) => m.id)).toEqual([ids[2]]);
    const middle = await older(socket, room.id, ids[2]);
    expect(middle.messages.map((m) => m.id)).toEqual([ids[1]]);
    expect(middle.hasMore).toBe(true);
    const first = await older(socket, room.id, ids[1]);
    expect(first).toMatchObject({ hasMore: false });
    expect(first.messages.map((m) => m.id)).toEqual([ids[0]]);
  });
});
